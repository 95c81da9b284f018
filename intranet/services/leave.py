"""Leave (请假): the request, its route through the approval engine, cancellation and balances.

Default route (data, editable by the manager): the line manager, then the assistant's attendance
check (seed 002: 销售助理负责考勤、请假审批), and for more than 3 days also the sales manager. On
this document type a step's amount threshold is read as a number of days.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import User
from ..models.approvals import LINE_MANAGER, ROLE
from ..models.attendance import (
    APPROVED,
    CANCELLED,
    DRAFT,
    LEAVE_KINDS,
    PENDING,
    REJECTED,
    RETURNED,
    WITHDRAWN,
    LeaveQuota,
    LeaveRequest,
)
from . import approvals, audit
from . import attendance as att
from . import settings as company_settings
from .errors import DomainError, Forbidden

DOC_TYPE = "leave"
MAX_DAYS = Decimal("60")
KIND_LABELS = {"annual": _l("年假"), "sick": _l("病假"), "personal": _l("事假"), "marriage": _l("婚假"),
               "bereavement": _l("丧假"), "other": _l("其他")}
STATUS_LABELS = {DRAFT: _l("草稿"), PENDING: _l("审批中"), APPROVED: _l("已批准"), REJECTED: _l("已驳回"),
                 RETURNED: _l("退回修改"), WITHDRAWN: _l("已撤回"), CANCELLED: _l("已取消")}
OPEN = (PENDING, APPROVED)

DEFAULT_STEPS = [
    approvals.step_dict(_l("直属上级审批"), LINE_MANAGER),
    approvals.step_dict(_l("内勤考勤审核"), ROLE, "assistant"),
    approvals.step_dict(_l("销售经理审批（超过3天）"), ROLE, "manager", min_amount="3.00"),
]


# ---- scope ----------------------------------------------------------------------------------

def visible_query(user: User):
    people = [p.id for p in att.visible_people(user)]
    return select(LeaveRequest).where(LeaveRequest.user_id.in_(people))


def can_see(user: User, leave: LeaveRequest) -> bool:
    if att.can_see_person(user, leave.user):
        return True
    req = approval_request(leave)
    return req is not None and approvals.can_view(user, req)


def get_visible_or_404(user: User, leave_id: int) -> LeaveRequest:
    leave = db.session.get(LeaveRequest, leave_id)
    if leave is None or not can_see(user, leave):
        abort(404)
    return leave


def approval_request(leave: LeaveRequest):
    return approvals.request_for(DOC_TYPE, leave.id)


# ---- days ---------------------------------------------------------------------------------------

def count_days(start: date, start_pm: bool, end: date, end_am: bool) -> Decimal:
    """Working days of the leave; a half day at either end counts 0.5."""
    total = Decimal("0.0")
    overrides = att.overrides_between(start, end)
    for day in att.working_days(start, end, overrides):
        part = Decimal("1.0")
        if (day == start and start_pm) or (day == end and end_am):
            part = Decimal("0.5")
        total += part
    return total


def check_input(fields: dict) -> Decimal:
    """Every rule of a request at once; returns the number of days."""
    errors = {}
    kind, start, end = fields.get("kind"), fields.get("start_day"), fields.get("end_day")
    start_pm, end_am = bool(fields.get("start_pm")), bool(fields.get("end_am"))
    if kind not in LEAVE_KINDS:
        errors["kind"] = _l("请选择请假类型")
    if start is None:
        errors["start_day"] = _l("请填写开始日期")
    if end is None:
        errors["end_day"] = _l("请填写结束日期")
    days = Decimal("0.0")
    if start and end:
        if end < start:
            errors["end_day"] = _l("结束日期不能早于开始日期")
        elif start == end and start_pm and end_am:
            errors["end_am"] = _l("同一天不能既下午开始又上午结束")
        elif (end - start).days > 400:
            errors["end_day"] = _l("请假天数不能超过 %(n)s 天", n=MAX_DAYS)
        else:
            days = count_days(start, start_pm, end, end_am)
            if days <= 0:
                errors["start_day"] = _l("所选日期内没有工作日，无需请假")
            elif days > MAX_DAYS:
                errors["end_day"] = _l("请假天数不能超过 %(n)s 天", n=MAX_DAYS)
    if errors:
        raise att.InputErrors(errors)
    return days


def request_leave(actor: User, fields: dict) -> LeaveRequest:
    """File and submit a leave request (one step: the form says 提交申请)."""
    if actor.role not in att.ATTENDEE_ROLES:
        raise Forbidden(_l("您的岗位不在销售部考勤范围内"))
    days = check_input(fields)
    att.ensure_range_open(fields["start_day"], fields["end_day"])
    _check_overlap(actor, fields["start_day"], fields["end_day"])
    if fields["kind"] == "annual":
        _check_annual(actor, fields["start_day"].year, days)
    leave = LeaveRequest(user_id=actor.id, kind=fields["kind"], start_day=fields["start_day"],
                         start_pm=bool(fields.get("start_pm")), end_day=fields["end_day"],
                         end_am=bool(fields.get("end_am")), days=days, reason=(fields.get("reason") or "").strip())
    leave.user = actor
    db.session.add(leave)
    db.session.flush()
    audit.record(actor, "leave.create", leave, after={"kind": leave.kind, "from": leave.start_day,
                                                      "to": leave.end_day, "days": str(days)})
    approvals.submit(actor, DOC_TYPE, leave)
    return leave


def _check_overlap(actor: User, start: date, end: date, exclude: int | None = None) -> None:
    clash = db.session.scalar(select(LeaveRequest).where(
        LeaveRequest.user_id == actor.id, LeaveRequest.status.in_(OPEN), LeaveRequest.id != (exclude or 0),
        LeaveRequest.start_day <= end, LeaveRequest.end_day >= start))
    if clash:
        raise DomainError(_l("与已有的请假（%(start)s 至 %(end)s）重叠", start=clash.start_day, end=clash.end_day),
                          field="start_day")


def _check_annual(actor: User, year: int, days: Decimal) -> None:
    left = balances(actor, year)["annual"]["left"]
    if days > left:
        raise DomainError(_l("年假余额不足：剩余 %(left)s 天，本次 %(days)s 天", left=left, days=days), field="kind")


def cancel(actor: User, leave: LeaveRequest) -> LeaveRequest:
    """The requester cancels an approved leave before it starts (days go back to normal)."""
    if leave.user_id != actor.id:
        raise Forbidden(_l("只能取消自己的请假"))
    if leave.status == PENDING:
        raise DomainError(_l("审批中的请假请先撤回"))
    if leave.status != APPROVED:
        raise DomainError(_l("该请假当前状态为“%(status)s”，不能取消", status=STATUS_LABELS[leave.status]))
    if leave.start_day <= clock.today_local():
        raise DomainError(_l("请假已经开始，不能取消"))
    att.ensure_range_open(leave.start_day, leave.end_day)
    leave.status, leave.cancelled_at = CANCELLED, clock.now_utc()
    db.session.flush()
    audit.record(actor, "leave.cancel", leave, before={"status": APPROVED}, after={"status": CANCELLED})
    return leave


# ---- balances -------------------------------------------------------------------------------------

def quota(person: User, year: int) -> Decimal:
    row = db.session.scalar(select(LeaveQuota).where(LeaveQuota.user_id == person.id, LeaveQuota.year == year))
    return row.days if row else Decimal(company_settings.get("annual_leave_days"))


def set_quota(actor: User, person: User, year: int, days: Decimal) -> LeaveQuota:
    if actor.role not in ("manager", "assistant"):
        raise Forbidden(_l("只有销售经理或销售内勤可以设置年假天数"))
    if days < 0 or days > 30:
        raise DomainError(_l("年假天数应在 0 到 30 之间"), field="days")
    row = db.session.scalar(select(LeaveQuota).where(LeaveQuota.user_id == person.id, LeaveQuota.year == year))
    before = str(row.days) if row else None
    row = row or LeaveQuota(user_id=person.id, year=year)
    row.days = days
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "leave.quota", row, before={"days": before}, after={"user": person.username, "year": year,
                                                                            "days": str(days)})
    return row


def balances(person: User, year: int) -> dict[str, dict]:
    """{kind: {used, pending, quota, left}} for the year; only annual leave has a quota."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    used: dict[str, Decimal] = defaultdict(lambda: Decimal("0.0"))
    pending: dict[str, Decimal] = defaultdict(lambda: Decimal("0.0"))
    for leave in db.session.scalars(select(LeaveRequest).where(
            LeaveRequest.user_id == person.id, LeaveRequest.status.in_(OPEN),
            LeaveRequest.start_day <= last, LeaveRequest.end_day >= first)):
        in_year = _days_within(leave, first, last)
        (used if leave.status == APPROVED else pending)[leave.kind] += in_year
    result = {}
    for kind in LEAVE_KINDS:
        row = {"used": used[kind], "pending": pending[kind], "quota": None, "left": None}
        if kind == "annual":
            row["quota"] = quota(person, year)
            row["left"] = row["quota"] - used[kind] - pending[kind]
        result[kind] = row
    return result


def _days_within(leave: LeaveRequest, first: date, last: date) -> Decimal:
    if leave.start_day >= first and leave.end_day <= last:
        return leave.days
    start, end = max(leave.start_day, first), min(leave.end_day, last)
    return count_days(start, leave.start_pm and start == leave.start_day, end, leave.end_am and end == leave.end_day)


# ---- the approval adapter ---------------------------------------------------------------------------

class LeaveAdapter(approvals.Adapter):
    def load(self, doc_id):
        return db.session.get(LeaveRequest, doc_id)

    def title(self, doc) -> str:
        return str(_l("请假 %(name)s %(kind)s %(days)s 天（%(start)s 至 %(end)s）", name=doc.user.name,
                      kind=KIND_LABELS[doc.kind], days=doc.days, start=doc.start_day, end=doc.end_day))

    def owner(self, doc):
        return doc.user

    def url(self, doc) -> str:
        try:
            from flask import url_for

            return url_for("attendance.leave_detail", leave_id=doc.id)
        except RuntimeError:
            return f"/attendance/leave/{doc.id}"

    def summary(self, doc):
        return [(_l("请假人"), doc.user.name), (_l("类型"), KIND_LABELS[doc.kind]), (_l("日期"), period_label(doc)),
                (_l("天数"), str(doc.days)), (_l("事由"), doc.reason)]

    def adjust_steps(self, steps, doc):
        """Thresholds on this route count days (the engine compared them with no amount)."""
        chosen = []
        for step in approvals.route_steps(DOC_TYPE):
            limit = step.get("min_amount")
            if limit not in (None, "") and doc.days <= Decimal(limit):
                continue
            if step["approver_kind"] == ROLE and not _someone_else(step["role"], doc.user_id):
                continue  # the assistant's own leave: nobody else holds her step
            chosen.append(step)
        return chosen

    def on_submitted(self, doc, actor):
        _set_status(actor, doc, PENDING)

    def on_approved(self, doc, actor):
        att.ensure_range_open(doc.start_day, doc.end_day)
        doc.approved_at = clock.now_utc()
        _set_status(actor, doc, APPROVED)

    def on_rejected(self, doc, actor, comment):
        _set_status(actor, doc, REJECTED)

    def on_returned(self, doc, actor, comment):
        _set_status(actor, doc, RETURNED)

    def on_withdrawn(self, doc, actor):
        _set_status(actor, doc, WITHDRAWN)


def _someone_else(role: str, user_id: int) -> bool:
    return db.session.scalar(select(User.id).where(User.role == role, User.active, User.id != user_id)
                             .limit(1)) is not None


def _set_status(actor, doc, status) -> None:
    before = doc.status
    doc.status = status
    audit.record(actor, "leave.status", doc, before={"status": before}, after={"status": status})


def period_label(doc: LeaveRequest) -> str:
    start = f"{doc.start_day:%Y-%m-%d}" + (str(_l("下午")) if doc.start_pm else "")
    end = f"{doc.end_day:%Y-%m-%d}" + (str(_l("上午")) if doc.end_am else "")
    return start if start == end else f"{start} 至 {end}"


ADAPTER = approvals.register(LeaveAdapter(DOC_TYPE, _l("请假申请"), default_steps=DEFAULT_STEPS, threshold_unit="days"))
