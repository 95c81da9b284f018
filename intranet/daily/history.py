"""Demo history: the reps' daily sheets (销售日报表) of the past quarter, before the ten working days of
daily/demo.py — filed in the late afternoon (now and then late, now and then missed), checked at the
next morning meeting, some with the supervisor's comment. Visits are counted from the visit reports
and the orders from the order desk's history, as the sheet pulls them. Idempotent (by the oldest
day)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ..clock import local_instant, today_local
from ..demo import next_working_day, working_days
from ..extensions import db
from ..models import Order
from ..models.daily import DailySheet
from ..services.daily_sheets import visits_done
from .demo import OPINIONS, PLANS, PROBLEMS

REPS = ("rep1", "rep2", "rep3", "rep4")
COMMENTS = ("注意跟进回款。", "报价前先与经理确认价格。", "")


def _ordered(rep_id: int, day) -> Decimal:
    total = db.session.scalar(select(func.sum(Order.total)).where(Order.rep_id == rep_id, Order.entered_on == day))
    return Decimal(total or 0).quantize(Decimal("0.01"))


def seed_history_daily(users) -> int:
    today = today_local()
    days = working_days(today - timedelta(days=90), today - timedelta(days=1))
    if not days or db.session.scalar(select(DailySheet.id).where(DailySheet.day == days[0]).limit(1)):
        return 0
    filed = set(db.session.execute(select(DailySheet.rep_id, DailySheet.day).where(DailySheet.day >= days[0])).all())
    created = 0
    for index, day in enumerate(days):
        for n, name in enumerate(REPS):
            if (index * 7 + n * 3) % 23 == 0:
                continue  # a missed sheet now and then
            rep = users[name]
            if (rep.id, day) in filed:  # the base demo's last ten working days
                continue
            late = (index + n) % 17 == 5
            ordered = _ordered(rep.id, day)
            sheet = DailySheet(rep_id=rep.id, day=day, visits_done=visits_done(rep.id, day), calls=2 + (index + n) % 5,
                               orders_amount=ordered, payments_amount=Decimal("0.00"),
                               orders_note="按订单台账" if ordered else "", opinions=OPINIONS[(index + n) % 3],
                               problems=PROBLEMS[(index + 2 * n) % 3], tomorrow=PLANS[(index + n + 1) % 3],
                               filed_at=local_instant(day, 17 if late else 16, 45 if late else 10 + n * 4), late=late,
                               checked_by_id=users["assistant"].id,
                               checked_at=local_instant(next_working_day(day), 9, 55))
            if (index + n) % 6 == 0:
                boss = users["supervisor1"] if name in ("rep1", "rep2") else users["supervisor2"]
                sheet.comment, sheet.commented_by_id = COMMENTS[(index + n) % 2], boss.id
            db.session.add(sheet)
            created += 1
    db.session.flush()
    return created
