"""Demo daily sheets: the reps' sheets of the last ten working days (one filed late, yesterday's
not yet checked at the morning meeting) and rep2's sheet of today, so the rep's, the supervisor's
and the assistant's desks show the feature on any day. Idempotent (by rep1's oldest sheet)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from ..clock import is_workday, local_instant, now_utc, today_local
from ..demo import SEED_HOOKS
from ..extensions import db
from ..models.daily import DailySheet

OPINIONS = ("客户反映设备出水稳定，希望缩短滤芯供货周期", "经销商询问年底返利政策", "客户比较了竞品价格，认为我方略高")
PROBLEMS = ("样品彩页不足，需补寄", "客户回款拖延，已约下周面谈", "")
PLANS = ("拜访华东水务，跟进 RO-1000 报价", "电话回访老客户三家", "整理本周客户意见报内勤")


def _working_days_back(count: int):
    day, found = today_local() - timedelta(days=1), []
    while len(found) < count:
        if is_workday(day):
            found.append(day)
        day -= timedelta(days=1)
    return found


def seed_daily(users: dict) -> int:
    days = _working_days_back(10)
    rep1 = users["rep1"]
    if db.session.scalar(select(DailySheet.id).where(DailySheet.rep_id == rep1.id, DailySheet.day == days[-1])):
        return 0
    created = 0
    for index, day in enumerate(days):
        for n, name in enumerate(("rep1", "rep2", "rep3", "rep4")):
            if name == "rep4" and index % 4 == 1:
                continue  # one rep misses a sheet now and then
            late = name == "rep3" and index == 2
            sheet = DailySheet(rep_id=users[name].id, day=day, calls=3 + n + index % 3,
                               orders_amount=Decimal(12800 * ((index + n) % 3)).quantize(Decimal("0.01")),
                               payments_amount=Decimal(6800 * ((index + n + 1) % 2)).quantize(Decimal("0.01")),
                               orders_note="RO-500 一台" if (index + n) % 3 else "", opinions=OPINIONS[(index + n) % 3],
                               problems=PROBLEMS[(index + n) % 3], tomorrow=PLANS[(index + n) % 3],
                               filed_at=local_instant(day, 17 if late else 16, 50 if late else 5), late=late)
            if index > 0:  # checked at the morning meeting after; yesterday's wait for tomorrow's meeting
                sheet.checked_by_id, sheet.checked_at = users["assistant"].id, local_instant(day + timedelta(days=1), 9, 55)
            db.session.add(sheet)
            created += 1
    today = today_local()
    if is_workday(today):
        db.session.add(DailySheet(rep_id=users["rep2"].id, day=today, calls=4, opinions=OPINIONS[0],
                                  tomorrow=PLANS[1], filed_at=now_utc()))
        created += 1
    db.session.flush()
    return created


if seed_daily not in SEED_HOOKS:
    SEED_HOOKS.append(seed_daily)


def seed_report(users: dict) -> int:
    """Last month's report of 华东一组, already generated (the report center is not empty)."""
    from ..models import ReportRun
    from ..services import reports

    if db.session.scalar(select(ReportRun.id).limit(1)):
        return 0
    run = ReportRun(kind="monthly", period=reports.last_month(), team_id=users["rep1"].team_id,
                    requested_by_id=users["assistant"].id)
    db.session.add(run)
    db.session.flush()
    reports.compute(run)
    return 1


if seed_report not in SEED_HOOKS:
    SEED_HOOKS.append(seed_report)
