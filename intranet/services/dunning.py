"""The monthly dunning notice (催款通知单, SPEC 2.10): finance issues it per team with the team's
overdue invoices; the team's supervisor passes it on; each rep records the customer contact the
same day (who, what was agreed, the promised date). A line not recorded by the set time is
reminded to the rep; still not recorded the next day, it is escalated to the supervisor — each
once (one notify key per notice and rep), so the periodic job may run as often as it likes."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..clock import month_of, now_utc, today_local
from ..extensions import db
from ..models import Team, User
from ..models.receivables import ISSUED, PASSED_ON, DunningLine, DunningNotice
from ..web.formatting import money
from . import audit, notify, settings
from .errors import AlreadyDecided, DomainError, Forbidden
from .receivables import OVERDUE, READERS, receivables

ISSUERS = ("finance",)
STATUS_LABELS = {ISSUED: _l("待主管下发"), PASSED_ON: _l("已下发业务员")}


def notice_url(notice: DunningNotice) -> str:
    try:
        return url_for("receivables.dunning_detail", dunning_id=notice.id)
    except RuntimeError:
        return f"/receivables/dunning/{notice.id}"


def can_see(user: User, notice: DunningNotice) -> bool:
    if user.role in READERS:
        return True
    team = notice.team
    if user.role == "supervisor":
        return team.supervisor_id == user.id
    return user.role == "rep" and any(x.rep_id == user.id for x in notice.lines)


def get_or_404(user: User, notice_id: int) -> DunningNotice:
    notice = db.session.get(DunningNotice, notice_id)
    if notice is None or not can_see(user, notice):
        abort(404)
    return notice


def visible(user: User):
    stmt = select(DunningNotice).order_by(DunningNotice.month.desc(), DunningNotice.team_id)
    if user.role in READERS:
        return stmt
    if user.role == "supervisor":
        return stmt.where(DunningNotice.team_id.in_(select(Team.id).where(Team.supervisor_id == user.id)))
    return stmt.where(DunningNotice.id.in_(select(DunningLine.notice_id).where(DunningLine.rep_id == user.id)))


def issue(actor: User, team: Team | None, month: str | None = None) -> DunningNotice:
    """Finance: this month's notice of one team, with its overdue invoices as of today."""
    if actor.role not in ISSUERS:
        raise Forbidden(_l("催款通知单由财务下发"))
    if team is None:
        raise DomainError(_l("请选择团队"), field="team_id")
    if team.supervisor_id is None:
        raise DomainError(_l("%(team)s 没有主管，不能下发", team=team.name), field="team_id")
    month = month or month_of(today_local())
    audit.lock()
    if db.session.scalar(select(DunningNotice.id).where(DunningNotice.team_id == team.id, DunningNotice.month == month)):
        raise AlreadyDecided(_l("%(team)s %(month)s 的催款通知单已经下发", team=team.name, month=month))
    report = receivables(actor, team_id=team.id, flag=OVERDUE)
    if not report.lines:
        raise DomainError(_l("%(team)s 没有逾期未回款的发票", team=team.name), field="team_id")
    notice = DunningNotice(team_id=team.id, month=month, status=ISSUED, issued_on=today_local(),
                           issued_by_id=actor.id, issued_at=now_utc())
    notice.team = team
    for x in report.lines:
        notice.lines.append(DunningLine(invoice_id=x.invoice_id, customer_id=x.customer_id, rep_id=x.rep_id,
                                        open_amount=x.figures.open, due_on=x.due_on,
                                        days_overdue=(report.asof - x.due_on).days))
    db.session.add(notice)
    db.session.flush()
    audit.record(actor, "dunning.issue", notice, after={"team": team.id, "month": month, "lines": len(notice.lines),
                                                        "total": sum(x.open_amount for x in notice.lines)})
    boss = team.supervisor
    text = str(_l("%(month)s 催款通知单（%(team)s，%(n)d 笔）请下发业务员", month=month, team=team.name,
                  n=len(notice.lines)))
    notify.tell(f"dunning:{notice.id}:pass:u{boss.id}", boss, text, text, notice_url(notice))
    return notice


def pass_on(actor: User, notice: DunningNotice) -> DunningNotice:
    """The supervisor hands the notice to the reps: they must contact their customers today."""
    if actor.role != "supervisor" or notice.team.supervisor_id != actor.id:
        raise Forbidden(_l("由本团队主管下发"))
    if notice.status != ISSUED:
        raise AlreadyDecided(_l("该催款通知单已经下发"))
    notice.status, notice.passed_on_by_id, notice.passed_on_at = PASSED_ON, actor.id, now_utc()
    notice.passed_on_on = today_local()
    notify.close_todos([f"dunning:{notice.id}:pass:"])
    for rep_id in sorted({x.rep_id for x in notice.lines}):
        rep = db.session.get(User, rep_id)
        mine = [x for x in notice.lines if x.rep_id == rep_id]
        text = str(_l("催款通知：%(n)d 笔逾期货款共 %(amount)s，请今天联系客户并登记结果", n=len(mine),
                      amount=money(sum(x.open_amount for x in mine))))
        notify.tell(f"dunning:{notice.id}:rep:u{rep_id}", rep, text, text, notice_url(notice))
    db.session.flush()
    audit.record(actor, "dunning.pass_on", notice, after={"status": PASSED_ON})
    return notice


def record(actor: User, line: DunningLine, contact_person: str, result: str, promised_on: date | None) -> DunningLine:
    """The rep records the contact with the customer (what was agreed, the promised date)."""
    if line.rep_id != actor.id:
        raise Forbidden(_l("只能登记自己客户的催款结果"))
    if line.notice.status != PASSED_ON:
        raise DomainError(_l("催款通知单尚未下发"))
    if line.recorded_at is not None:
        raise AlreadyDecided(_l("该笔已经登记"))
    errors = {}
    person, result = (contact_person or "").strip(), (result or "").strip()
    if not person:
        errors["contact_person"] = _l("请填写联系人")
    if not result:
        errors["result"] = _l("请填写联系结果")
    if promised_on is not None and promised_on < today_local():
        errors["promised_on"] = _l("承诺付款日期不能早于今天")
    if errors:
        from .samples import InputErrors

        raise InputErrors(errors)
    line.contact_person, line.result, line.promised_on = person[:60], result[:2000], promised_on
    line.contacted_on, line.recorded_by_id, line.recorded_at = today_local(), actor.id, now_utc()
    if not any(x.recorded_at is None for x in line.notice.lines if x.rep_id == actor.id):
        notify.close_todos([f"dunning:{line.notice_id}:rep:u{actor.id}", f"dunning-remind:{line.notice_id}:u{actor.id}",
                            f"dunning-escalate:{line.notice_id}:r{actor.id}:"])
    db.session.flush()
    audit.record(actor, "dunning.record", line, after={"contact": line.contact_person, "result": line.result,
                                                       "promised_on": promised_on})
    return line


def remind(now: datetime | None = None) -> dict[str, int]:
    """Unrecorded lines: after the set time on the day the notice was passed on, the rep is
    reminded (once per notice); from the next day on, the supervisor gets the escalation (once per
    notice and rep, with that rep's unrecorded lines)."""
    from ..clock import SHANGHAI

    local = (now or now_utc()).astimezone(SHANGHAI)
    today, deadline = local.date(), settings.get("dunning_record_by")
    counts = {"reminded": 0, "escalated": 0}
    rows = db.session.scalars(select(DunningLine).join(DunningNotice).where(
        DunningNotice.status == PASSED_ON, DunningLine.recorded_at.is_(None)).order_by(DunningLine.id))
    waiting: dict[tuple[int, int], list[DunningLine]] = {}
    for line in rows:
        waiting.setdefault((line.notice_id, line.rep_id), []).append(line)
    for lines in waiting.values():
        notice, rep = lines[0].notice, lines[0].rep
        if not (today > notice.passed_on_on or local.time() >= deadline):
            continue
        amount = money(sum(x.open_amount for x in lines))
        text = str(_l("催款结果未登记：%(n)d 笔共 %(amount)s（%(customer)s 等），请今天登记", n=len(lines), amount=amount,
                      customer=lines[0].customer.name))
        key = f"dunning-remind:{notice.id}:u{rep.id}"
        if notify.todo(key, rep, text, notice_url(notice)) is not None:
            notify.email(key, rep.email, text, text)
            counts["reminded"] += 1
        if today > notice.passed_on_on:
            boss = notice.team.supervisor
            text = str(_l("%(rep)s 未登记催款结果：%(n)d 笔共 %(amount)s（%(customer)s 等）", rep=rep.name, n=len(lines),
                          amount=amount, customer=lines[0].customer.name))
            key = f"dunning-escalate:{notice.id}:r{rep.id}:u{boss.id}"
            if notify.todo(key, boss, text, notice_url(notice)) is not None:
                notify.email(key, boss.email, text, text)
                counts["escalated"] += 1
    return counts
