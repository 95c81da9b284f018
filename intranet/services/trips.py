"""Business trips (出差申请): request, approval (line manager; above `trip_manager_threshold` of
estimated cost also the sales manager), trip days, and the advances and claims that belong to a trip."""

from __future__ import annotations

from decimal import Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import Advance, ExpenseClaim, User
from ..models.attendance import APPROVED, DRAFT, PENDING, REJECTED, RETURNED, WITHDRAWN, Trip, TripLink
from ..models.visits import PlannedVisit, VisitPlan
from . import approvals, audit
from . import attendance as att
from . import settings as company_settings
from .errors import DomainError, Forbidden

DOC_TYPE = "trip"
MAX_DAYS = 90
STATUS_LABELS = {DRAFT: _l("草稿"), PENDING: _l("审批中"), APPROVED: _l("已批准"), REJECTED: _l("已驳回"),
                 RETURNED: _l("退回修改"), WITHDRAWN: _l("已撤回")}
LINK_LABELS = {"advance": _l("借款"), "expense": _l("报销")}


def visible_query(user: User):
    return select(Trip).where(Trip.user_id.in_([p.id for p in att.visible_people(user)]))


def get_visible_or_404(user: User, trip_id: int) -> Trip:
    trip = db.session.get(Trip, trip_id)
    if trip is None:
        abort(404)
    req = approvals.request_for(DOC_TYPE, trip.id)
    if not (att.can_see_person(user, trip.user) or (req is not None and approvals.can_view(user, req))):
        abort(404)
    return trip


def check_input(fields: dict) -> None:
    errors = {}
    for name, message in (("destination", _l("请填写出差地点")), ("purpose", _l("请填写出差事由"))):
        if not (fields.get(name) or "").strip():
            errors[name] = message
    start, end = fields.get("start_day"), fields.get("end_day")
    if start is None:
        errors["start_day"] = _l("请填写开始日期")
    if end is None:
        errors["end_day"] = _l("请填写结束日期")
    if start and end and end < start:
        errors["end_day"] = _l("结束日期不能早于开始日期")
    elif start and end and (end - start).days + 1 > MAX_DAYS:
        errors["end_day"] = _l("一次出差不能超过 %(n)d 天", n=MAX_DAYS)
    for name in ("estimated_cost", "advance_needed"):
        value = fields.get(name)
        if value is None or value < 0:
            errors[name] = _l("请填写金额（不能为负数）")
    cost, advance = fields.get("estimated_cost"), fields.get("advance_needed")
    if cost is not None and advance is not None and "advance_needed" not in errors and advance > cost:
        errors["advance_needed"] = _l("借款不能超过预计费用")
    if errors:
        raise att.InputErrors(errors)


def request_trip(actor: User, fields: dict) -> Trip:
    if actor.role not in att.ATTENDEE_ROLES:
        raise Forbidden(_l("您的岗位不在销售部考勤范围内"))
    check_input(fields)
    att.ensure_range_open(fields["start_day"], fields["end_day"])
    trip = Trip(user_id=actor.id, destination=fields["destination"].strip(), start_day=fields["start_day"],
                end_day=fields["end_day"], purpose=fields["purpose"].strip(),
                customers=(fields.get("customers") or "").strip(), estimated_cost=fields["estimated_cost"],
                advance_needed=fields["advance_needed"])
    trip.user = actor
    db.session.add(trip)
    db.session.flush()
    audit.record(actor, "trip.create", trip, after={"to": trip.destination, "from": trip.start_day,
                                                    "until": trip.end_day, "cost": trip.estimated_cost})
    approvals.submit(actor, DOC_TYPE, trip)
    return trip


# ---- links to advances and claims --------------------------------------------------------------

def linkable(trip: Trip) -> dict[str, list]:
    """The person's advances and claims not yet linked to any trip."""
    taken = {(lk.doc_type, lk.doc_id) for lk in db.session.scalars(select(TripLink))}
    advances = [a for a in db.session.scalars(select(Advance).where(Advance.requester_id == trip.user_id)
                                              .order_by(Advance.id.desc())) if ("advance", a.id) not in taken]
    claims = [c for c in db.session.scalars(select(ExpenseClaim).where(ExpenseClaim.claimant_id == trip.user_id)
                                            .order_by(ExpenseClaim.id.desc())) if ("expense", c.id) not in taken]
    return {"advance": advances, "expense": claims}


def link(actor: User, trip: Trip, doc_type: str, doc_id: int) -> TripLink:
    if actor.id != trip.user_id and actor.role not in att.KEEPERS:
        raise Forbidden(_l("只有出差人或销售内勤可以关联单据"))
    model = {"advance": Advance, "expense": ExpenseClaim}.get(doc_type)
    doc = db.session.get(model, doc_id) if model else None
    owner = getattr(doc, "requester_id", None) or getattr(doc, "claimant_id", None)
    if doc is None or owner != trip.user_id:
        raise DomainError(_l("请选择出差人本人的借款或报销单"), field="doc")
    if db.session.scalar(select(TripLink.id).where(TripLink.doc_type == doc_type, TripLink.doc_id == doc_id)):
        raise DomainError(_l("该单据已关联到出差"), field="doc")
    row = TripLink(trip=trip, doc_type=doc_type, doc_id=doc_id, by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "trip.link", trip, after={"doc": f"{doc_type}#{doc_id}"})
    return row


def linked_docs(trip: Trip) -> list[dict]:
    rows = []
    for lk in trip.links:
        model = Advance if lk.doc_type == "advance" else ExpenseClaim
        doc = db.session.get(model, lk.doc_id)
        amount = doc.amount if lk.doc_type == "advance" else doc.total
        rows.append({"link": lk, "doc": doc, "label": LINK_LABELS[lk.doc_type], "amount": amount,
                     "title": doc.purpose if lk.doc_type == "advance" else doc.title, "status": doc.status})
    return rows


def visits_during(trip: Trip) -> list[PlannedVisit]:
    return list(db.session.scalars(select(PlannedVisit).join(VisitPlan).where(
        VisitPlan.rep_id == trip.user_id, VisitPlan.status == "approved",
        PlannedVisit.date.between(trip.start_day, trip.end_day)).order_by(PlannedVisit.date)))


def days(trip: Trip) -> int:
    return (trip.end_day - trip.start_day).days + 1


# ---- the approval adapter ------------------------------------------------------------------------

def threshold_steps() -> list[dict]:
    return [approvals.step_dict(_l("直属上级审批"), "line_manager"),
            approvals.step_dict(_l("销售经理审批"), "role", "manager",
                                min_amount=company_settings.get("trip_manager_threshold"))]


class TripAdapter(approvals.Adapter):
    @property
    def default_steps(self) -> list[dict]:
        return threshold_steps()

    @default_steps.setter
    def default_steps(self, value) -> None:  # the setting wins (read when a trip is submitted)
        pass

    def load(self, doc_id):
        return db.session.get(Trip, doc_id)

    def title(self, doc) -> str:
        return str(_l("出差 %(name)s → %(to)s（%(start)s 至 %(end)s）", name=doc.user.name, to=doc.destination,
                      start=doc.start_day, end=doc.end_day))

    def amount(self, doc) -> Decimal:
        return doc.estimated_cost

    def owner(self, doc):
        return doc.user

    def url(self, doc) -> str:
        try:
            from flask import url_for

            return url_for("attendance.trip_detail", trip_id=doc.id)
        except RuntimeError:
            return f"/attendance/trips/{doc.id}"

    def summary(self, doc):
        from ..web.formatting import money

        return [(_l("出差人"), doc.user.name), (_l("地点"), doc.destination),
                (_l("日期"), f"{doc.start_day:%Y-%m-%d} 至 {doc.end_day:%Y-%m-%d}"), (_l("事由"), doc.purpose),
                (_l("拜访客户"), doc.customers), (_l("预计费用"), money(doc.estimated_cost)),
                (_l("需借款"), money(doc.advance_needed))]

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


def _set_status(actor, doc, status) -> None:
    before = doc.status
    doc.status = status
    audit.record(actor, "trip.status", doc, before={"status": before}, after={"status": status})


ADAPTER = approvals.register(TripAdapter(DOC_TYPE, _l("出差申请")))
