"""Personal advances (借款): request → approval → finance pays out → claims offset it (冲销) →
the rest is returned to finance (or, when the claims exceed it, the difference is paid with the claim)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..clock import now_utc
from ..extensions import db
from ..models import Advance, AdvanceOffset, User
from ..models.expenses import APPROVED, EDITABLE, PAID, PENDING, REJECTED, RETURNED, SETTLED, WITHDRAWN
from ..web.formatting import money
from . import approvals, audit, ledger, notify
from .errors import AlreadyDecided, DomainError, Forbidden
from .expenses import may_see, scoped

STATUS_LABELS = {
    "draft": _l("草稿"), PENDING: _l("审批中"), APPROVED: _l("待财务付款"), REJECTED: _l("已驳回"),
    RETURNED: _l("已退回修改"), WITHDRAWN: _l("已撤回"), PAID: _l("已付款，待冲销"), SETTLED: _l("已结清"),
}
PAYERS = ("finance",)
OUTSTANDING_READERS = ("assistant", "finance", "manager", "director", "gm")


def visible(user: User):
    stmt = select(Advance).options(selectinload(Advance.requester)).order_by(Advance.id.desc())
    return scoped(stmt, Advance.requester_id, user)


def get_or_404(user: User, advance_id: int) -> Advance:
    advance = db.session.get(Advance, advance_id)
    if advance is None or not may_see(user, advance.requester):
        abort(404)
    return advance


def _snapshot(a: Advance) -> dict:
    return {"amount": a.amount, "purpose": a.purpose, "trip": [a.trip_start.isoformat(), a.trip_end.isoformat()],
            "status": a.status, "offset": a.offset_total, "returned": a.returned_total}


def save(actor: User, advance: Advance | None, *, amount: Decimal, purpose: str, trip_start: date,
         trip_end: date) -> Advance:
    purpose = (purpose or "").strip()
    if not purpose:
        raise DomainError(_l("请填写借款用途"), field="purpose")
    if not isinstance(trip_start, date) or not isinstance(trip_end, date):
        raise DomainError(_l("请填写出差日期"), field="trip_start")
    if trip_end < trip_start:
        raise DomainError(_l("结束日期不能早于开始日期"), field="trip_end")
    amount = ledger.cents(amount)
    before = None
    if advance is None:
        advance = Advance(requester_id=actor.id, status="draft")
        advance.requester = actor
        db.session.add(advance)
    else:
        if advance.requester_id != actor.id:
            raise Forbidden(_l("只能修改自己的借款申请"))
        if advance.status not in EDITABLE:
            raise DomainError(_l("借款申请已提交，不能修改"))
        before = _snapshot(advance)
    advance.amount, advance.purpose, advance.trip_start, advance.trip_end = amount, purpose[:200], trip_start, trip_end
    db.session.flush()
    audit.record(actor, "advance.save", advance, before=before, after=_snapshot(advance))
    return advance


def can_edit(user: User, advance: Advance) -> bool:
    return advance.requester_id == user.id and advance.status in EDITABLE


def submit(actor: User, advance: Advance):
    if advance.requester_id != actor.id:
        raise Forbidden(_l("只能提交自己的借款申请"))
    if advance.status not in EDITABLE:
        raise DomainError(_l("借款申请已提交"))
    return approvals.submit(actor, "advance", advance)


def withdraw(actor: User, advance: Advance):
    request = approvals.request_for("advance", advance.id)
    if request is None:
        raise DomainError(_l("借款申请尚未提交"))
    return approvals.withdraw(actor, request.id)


def _locked(advance: Advance) -> Advance:
    return db.session.scalar(select(Advance).where(Advance.id == advance.id).with_for_update()
                             .execution_options(populate_existing=True))


def pay_out(actor: User, advance: Advance) -> Advance:
    """Finance hands the approved advance to the requester (recorded; the cash is finance's, not petty cash)."""
    if actor.role not in PAYERS:
        raise Forbidden(_l("只有财务可以支付借款"))
    if actor.id == advance.requester_id:
        raise Forbidden(_l("不能给自己支付借款（双人复核）"))
    audit.lock()
    advance = _locked(advance)
    if advance.status != APPROVED:
        raise AlreadyDecided(_l("借款不是待付款状态（可能已付款）"))
    before = _snapshot(advance)
    advance.status, advance.paid_at, advance.paid_by_id = PAID, now_utc(), actor.id
    db.session.flush()
    audit.record(actor, "advance.pay", advance, before=before, after=_snapshot(advance))
    notify.tell(f"advance:{advance.id}:paid", advance.requester, str(_l("借款 #%(id)d 已付款", id=advance.id)),
                str(_l("财务已支付借款 %(amount)s。出差回来后请及时报销冲销，余款归还财务。", amount=money(advance.amount))),
                _url(advance))
    return advance


def record_return(actor: User, advance: Advance, amount: Decimal) -> Advance:
    """The requester returns unused cash to finance; at zero outstanding the advance is settled."""
    if actor.role not in PAYERS:
        raise Forbidden(_l("只有财务可以登记还款"))
    amount = ledger.cents(amount)
    audit.lock()
    advance = _locked(advance)
    if advance.status != PAID:
        raise DomainError(_l("该借款没有待归还的余额"))
    if amount > advance.outstanding:
        raise DomainError(_l("还款金额不能超过未冲销余额 %(rest)s", rest=money(advance.outstanding)), field="amount")
    before = _snapshot(advance)
    db.session.add(AdvanceOffset(advance=advance, kind="return", amount=amount, recorded_by_id=actor.id))
    advance.returned_total += amount
    if advance.outstanding == 0:
        advance.status, advance.settled_at = SETTLED, now_utc()
    db.session.flush()
    audit.record(actor, "advance.return", advance, before=before, after=_snapshot(advance))
    return advance


def outstanding_by_person() -> list[dict]:
    """[{user, count, amount, outstanding}] for every person with money still out."""
    rows: dict[int, dict] = {}
    stmt = select(Advance).where(Advance.status == PAID).options(selectinload(Advance.requester))
    for a in db.session.scalars(stmt.order_by(Advance.paid_at)):
        row = rows.setdefault(a.requester_id, {"user": a.requester, "count": 0, "amount": Decimal("0.00"),
                                               "outstanding": Decimal("0.00"), "oldest": a.paid_at})
        row["count"] += 1
        row["amount"] += a.amount
        row["outstanding"] += a.outstanding
    return sorted(rows.values(), key=lambda r: -r["outstanding"])


def awaiting_payout():
    return (select(Advance).where(Advance.status == APPROVED).options(selectinload(Advance.requester))
            .order_by(Advance.approved_at))


def _url(advance) -> str:
    try:
        return url_for("expenses.advance_detail", advance_id=advance.id)
    except RuntimeError:
        return ""


def _summary(doc) -> list:
    from .expenses import outstanding_total

    return [(_l("借款人"), doc.requester.name), (_l("用途"), doc.purpose), (_l("金额"), money(doc.amount)),
            (_l("出差日期"), f"{doc.trip_start:%Y-%m-%d} ~ {doc.trip_end:%Y-%m-%d}"),
            (_l("已有未冲销借款"), money(outstanding_total(doc.requester_id)))]


class AdvanceAdapter(approvals.ModelAdapter):
    def on_approved(self, doc, actor):
        super().on_approved(doc, actor)
        for payer in db.session.scalars(select(User).where(User.role.in_(PAYERS), User.active)):
            notify.tell(f"advance:{doc.id}:to-pay:u{payer.id}", payer,
                        str(_l("待付借款：%(title)s", title=self.title(doc))),
                        str(_l("借款已审批通过，金额 %(amount)s，请付款。", amount=money(doc.amount))), _url(doc))


approvals.register(AdvanceAdapter(
    "advance", _l("借款申请"), default_steps=[
        approvals.step_dict(_l("直属上级审批"), "line_manager"),
        approvals.step_dict(_l("销售经理审批"), "role", "manager")],
    model=Advance, owner_attr="requester", amount_attr="amount", summary_of=_summary,
    title_of=lambda d: str(_l("借款 #%(id)d %(name)s：%(purpose)s", id=d.id, name=d.requester.name, purpose=d.purpose)),
    endpoint="expenses.advance_detail", id_arg="advance_id",
    statuses=approvals.STANDARD_STATUSES, stamps={"approved": "approved_at"}))
