"""Expense claims (报销单): lines, receipts, approval by amount, payment from petty cash or by offset.

Approval routes by amount thresholds that are settings (`expense_manager_threshold`,
`expense_director_threshold`): the default route is built from them when a claim is
submitted (a route the manager saved on the routes page takes precedence, as for every type).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..clock import now_utc, today_local
from ..extensions import db
from ..models import Advance, AdvanceOffset, ExpenseClaim, ExpenseLine, Promotion, User
from ..models.expenses import (
    APPROVED,
    CATEGORIES,
    EDITABLE,
    OFFSET,
    PAID,
    PENDING,
    PETTY_CASH,
    REJECTED,
    RETURNED,
    SETTLED,
    WITHDRAWN,
)
from ..web.formatting import money
from . import approvals, audit, ledger, notify, receipts
from . import settings as company_settings
from .errors import AlreadyDecided, DomainError, Forbidden

CATEGORY_LABELS = ledger.CATEGORY_LABELS
STATUS_LABELS = {
    "draft": _l("草稿"), PENDING: _l("审批中"), APPROVED: _l("待支付"), REJECTED: _l("已驳回"),
    RETURNED: _l("已退回修改"), WITHDRAWN: _l("已撤回"), PAID: _l("已支付"), SETTLED: _l("已结清"),
}
PAYMENT_LABELS = {PETTY_CASH: _l("备用金支付"), OFFSET: _l("冲销借款"), "offset+petty_cash": _l("冲销借款+备用金支付")}
ALL_SEEING = ("manager", "director", "gm", "assistant", "finance")
PAYERS = ("assistant",)
MAX_LINES = 30

approvals.FINANCE_TYPES.update({"expense", "advance", "promotion", "promotion_writeoff"})


# ---- visibility (shared by claims, advances, promotions) ------------------------------------

def scoped(stmt, owner_column, user: User):
    """Rep: own; supervisor: own and their reports'; leadership, assistant and finance: all."""
    if user.role in ALL_SEEING:
        return stmt
    if user.role == "supervisor":
        team = select(User.id).where(User.reports_to_id == user.id)
        return stmt.where(or_(owner_column == user.id, owner_column.in_(team)))
    return stmt.where(owner_column == user.id)


def may_see(user: User, owner: User) -> bool:
    if user.role in ALL_SEEING or owner.id == user.id:
        return True
    return user.role == "supervisor" and owner.reports_to_id == user.id


def visible_claims(user: User):
    stmt = select(ExpenseClaim).options(selectinload(ExpenseClaim.claimant)).order_by(ExpenseClaim.id.desc())
    return scoped(stmt, ExpenseClaim.claimant_id, user)


def get_claim_or_404(user: User, claim_id: int) -> ExpenseClaim:
    claim = db.session.get(ExpenseClaim, claim_id)
    if claim is None or not may_see(user, claim.claimant):
        abort(404)
    return claim


@receipts.visibility("expense")
def _receipt_visible(user, claim_id: int) -> bool:
    claim = db.session.get(ExpenseClaim, claim_id)
    return claim is not None and may_see(user, claim.claimant)


# ---- lines -------------------------------------------------------------------------------

def check_lines(lines: list[dict]) -> list[dict]:
    """Each line: category, spent_on (date), amount (Decimal), description. Returns them cleaned."""
    clean = []
    for i, line in enumerate(lines):
        if line.get("category") not in CATEGORIES:
            raise DomainError(_l("第 %(n)d 行：请选择费用类别", n=i + 1), field="lines")
        spent_on = line.get("spent_on")
        if not isinstance(spent_on, date):
            raise DomainError(_l("第 %(n)d 行：请填写日期", n=i + 1), field="lines")
        if spent_on > today_local():
            raise DomainError(_l("第 %(n)d 行：日期不能晚于今天", n=i + 1), field="lines")
        if line.get("amount") is None:
            raise DomainError(_l("第 %(n)d 行：请填写金额", n=i + 1), field="lines")
        clean.append({"category": line["category"], "spent_on": spent_on, "amount": ledger.cents(line["amount"]),
                      "description": (line.get("description") or "").strip()[:200],
                      "visit_report_id": line.get("visit_report_id") or None, "trip_id": line.get("trip_id") or None})
    if not clean:
        raise DomainError(_l("至少填写一行费用明细"), field="lines")
    if len(clean) > MAX_LINES:
        raise DomainError(_l("明细最多 %(n)d 行", n=MAX_LINES), field="lines")
    return clean


def _snapshot(claim: ExpenseClaim) -> dict:
    return {"title": claim.title, "total": claim.total, "status": claim.status, "promotion": claim.promotion_id,
            "lines": [[ln.category, ln.spent_on.isoformat(), ln.amount, ln.description] for ln in claim.lines]}


def _check_promotion(actor: User, promotion_id: int | None) -> int | None:
    if not promotion_id:
        return None
    promotion = db.session.get(Promotion, promotion_id)
    if promotion is None or not may_see(actor, promotion.owner):
        raise DomainError(_l("关联的促销活动不存在"), field="promotion_id")
    return promotion.id


def save_claim(actor: User, claim: ExpenseClaim | None, *, title: str, lines: list[dict],
               promotion_id: int | None = None) -> ExpenseClaim:
    """Create a draft, or edit one that is still a draft / returned / withdrawn (the claimant only)."""
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("请填写报销事由"), field="title")
    clean = check_lines(lines)
    for line in clean:
        _check_outing(actor, line)
    promotion_id = _check_promotion(actor, promotion_id)
    before = None
    if claim is None:
        claim = ExpenseClaim(claimant_id=actor.id, status="draft")
        claim.claimant = actor
        db.session.add(claim)
    else:
        _require_editable(actor, claim)
        before = _snapshot(claim)
    claim.title, claim.promotion_id = title[:120], promotion_id
    claim.lines = [ExpenseLine(position=i, **line) for i, line in enumerate(clean)]
    claim.total = sum((line["amount"] for line in clean), Decimal("0.00"))
    db.session.flush()
    audit.record(actor, "expense.save", claim, before=before, after=_snapshot(claim))
    return claim


# ---- the outing a line belongs to (visit report or business trip) ------------------------------

CHECKED_CATEGORIES = ("travel", "entertainment")  # spending that happens on an outing


def _check_outing(actor: User, line: dict) -> None:
    """A line may name one of the claimant's own visit reports or trips; anyone else's is not found."""
    from ..models import Trip, VisitReport

    if line["visit_report_id"]:
        report = db.session.get(VisitReport, line["visit_report_id"])
        if report is None or report.rep_id != actor.id:
            abort(404)
    if line["trip_id"]:
        trip = db.session.get(Trip, line["trip_id"])
        if trip is None or trip.user_id != actor.id:
            abort(404)


def outings_for(user: User, days: int = 92) -> tuple[list, list]:
    """The visit reports and trips a claimant may link lines to (the last three months)."""
    from datetime import timedelta

    from ..models import Trip, VisitReport

    since = today_local() - timedelta(days=days)
    reports = list(db.session.scalars(select(VisitReport).where(VisitReport.rep_id == user.id,
                                                                VisitReport.visit_date >= since)
                                      .options(selectinload(VisitReport.customer))
                                      .order_by(VisitReport.visit_date.desc())))
    trips = list(db.session.scalars(select(Trip).where(Trip.user_id == user.id, Trip.end_day >= since,
                                                       Trip.status.not_in(("draft", "cancelled")))
                                    .order_by(Trip.start_day.desc())))
    return reports, trips


def unbacked_lines(claim: ExpenseClaim) -> set[int]:
    """Ids of travel/entertainment lines with no visit or trip that day (linked or recorded): flagged
    to the approver and the assistant, not refused."""
    from ..models import Trip, VisitReport
    from ..models.attendance import APPROVED as TRIP_APPROVED

    candidates = [ln for ln in claim.lines if ln.category in CHECKED_CATEGORIES
                  and not ln.visit_report_id and not ln.trip_id]
    if not candidates:
        return set()
    days = {ln.spent_on for ln in candidates}
    visited = set(db.session.scalars(select(VisitReport.visit_date).where(
        VisitReport.rep_id == claim.claimant_id, VisitReport.visit_date.in_(days))))
    trips = db.session.execute(select(Trip.start_day, Trip.end_day).where(
        Trip.user_id == claim.claimant_id, Trip.status == TRIP_APPROVED, Trip.start_day <= max(days),
        Trip.end_day >= min(days))).all()
    return {ln.id for ln in candidates
            if ln.spent_on not in visited and not any(s <= ln.spent_on <= e for s, e in trips)}


def outing_label(line: ExpenseLine) -> str:
    if line.visit_report_id:
        return str(_l("拜访：%(date)s %(customer)s", date=line.visit_report.visit_date.isoformat(),
                      customer=line.visit_report.customer.name))
    if line.trip_id:
        return str(_l("出差：%(dest)s %(start)s ~ %(end)s", dest=line.trip.destination,
                      start=line.trip.start_day.isoformat(), end=line.trip.end_day.isoformat()))
    return ""


UNBACKED = _l("当天无拜访或出差记录，请核实")


def _require_editable(actor: User, claim: ExpenseClaim) -> None:
    if claim.claimant_id != actor.id:
        raise Forbidden(_l("只能修改自己的报销单"))
    if claim.status not in EDITABLE:
        raise DomainError(_l("报销单已提交，不能修改"))


def can_edit(user: User, claim: ExpenseClaim) -> bool:
    return claim.claimant_id == user.id and claim.status in EDITABLE


def attach_receipt(actor: User, claim: ExpenseClaim, filename: str, data: bytes):
    """The claimant adds receipts until the claim is paid (an approver may ask for a missing one)."""
    if claim.claimant_id != actor.id:
        raise Forbidden(_l("只能给自己的报销单上传票据"))
    if claim.status in (PAID, REJECTED):
        raise DomainError(_l("报销单已结束，不能再上传票据"), field="receipts")
    return receipts.attach(actor, "expense", claim.id, filename, data)


def submit_claim(actor: User, claim: ExpenseClaim):
    _require_editable(actor, claim)
    if not claim.lines:
        raise DomainError(_l("至少填写一行费用明细"), field="lines")
    if not receipts.for_doc("expense", claim.id):
        raise DomainError(_l("请先上传票据（发票或收据的照片/PDF）"), field="receipts")
    from . import expense_budgets

    request = approvals.submit(actor, "expense", claim)
    expense_budgets.escalate(request, claim)  # past a period budget: one more approval level
    return request


def withdraw_claim(actor: User, claim: ExpenseClaim):
    request = approvals.request_for("expense", claim.id)
    if request is None:
        raise DomainError(_l("报销单尚未提交"))
    return approvals.withdraw(actor, request.id)


# ---- payment -------------------------------------------------------------------------------

def outstanding_advances(user_id: int, lock: bool = False) -> list[Advance]:
    stmt = (select(Advance).where(Advance.requester_id == user_id, Advance.status == PAID)
            .order_by(Advance.paid_at, Advance.id))
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return [a for a in db.session.scalars(stmt) if a.outstanding > 0]


def outstanding_total(user_id: int) -> Decimal:
    return sum((a.outstanding for a in outstanding_advances(user_id)), Decimal("0.00"))


def may_pay(user: User, claim: ExpenseClaim) -> bool:
    return user.role in PAYERS and claim.status == APPROVED and claim.claimant_id != user.id


def pay_claim(actor: User, claim: ExpenseClaim, method: str, on: date | None = None):
    """Pay an approved claim: from the payer's petty cash, or offset against the claimant's advances
    first (冲销, oldest first) with any remainder from petty cash. The cash entry awaits finance's check."""
    if actor.role not in PAYERS:
        raise Forbidden(_l("只有销售内勤（备用金保管人）可以支付报销"))
    if claim.claimant_id == actor.id:
        raise Forbidden(_l("不能支付自己的报销单（双人复核）"))
    if method not in (PETTY_CASH, OFFSET):
        raise DomainError(_l("请选择支付方式"), field="method")
    account = ledger.account_for(actor)
    audit.lock()  # lock order: audit chain, then the claim, then advances, then the cash box
    claim = db.session.scalar(select(ExpenseClaim).where(ExpenseClaim.id == claim.id).with_for_update()
                              .execution_options(populate_existing=True))
    if claim.status != APPROVED:
        raise AlreadyDecided(_l("报销单不是待支付状态（可能已被支付）"))
    before = _snapshot(claim)
    offset = _offset(actor, claim) if method == OFFSET else Decimal("0.00")
    if method == OFFSET and offset == 0:
        raise DomainError(_l("%(name)s 没有未冲销的借款", name=claim.claimant.name), field="method")
    cash = claim.total - offset
    if cash > 0:
        entry = ledger.pay_document(actor, account, cash, ref_type="expense", ref_id=claim.id,
                                    memo=str(_l("报销 #%(id)d %(name)s：%(title)s", id=claim.id,
                                                name=claim.claimant.name, title=claim.title)), entry_date=on)
        claim.ledger_entry_id = entry.id
    claim.offset_amount, claim.cash_amount = offset, cash
    claim.payment_method = PETTY_CASH if not offset else (OFFSET if not cash else "offset+petty_cash")
    claim.status, claim.paid_at, claim.paid_by_id = PAID, now_utc(), actor.id
    db.session.flush()
    audit.record(actor, "expense.pay", claim, before=before, after={
        **_snapshot(claim), "method": claim.payment_method, "offset": offset, "cash": cash,
        "ledger_entry": claim.ledger_entry_id})
    notify.tell(f"expense:{claim.id}:paid", claim.claimant, str(_l("报销单 #%(id)d 已支付", id=claim.id)),
                str(_l("冲销借款 %(offset)s，现金支付 %(cash)s。", offset=money(offset), cash=money(cash))),
                _claim_url(claim))
    return claim


def _offset(actor: User, claim: ExpenseClaim) -> Decimal:
    remaining, used = claim.total, Decimal("0.00")
    for advance in outstanding_advances(claim.claimant_id, lock=True):
        if remaining <= 0:
            break
        part = min(advance.outstanding, remaining)
        db.session.add(AdvanceOffset(advance=advance, claim_id=claim.id, kind="claim", amount=part,
                                     recorded_by_id=actor.id))
        advance.offset_total += part
        if advance.outstanding == 0:
            advance.status, advance.settled_at = SETTLED, now_utc()
        audit.record(actor, "advance.offset", advance, after={"claim": claim.id, "amount": part,
                                                              "outstanding": advance.outstanding})
        remaining -= part
        used += part
    return used


def _claim_url(claim) -> str:
    try:
        return url_for("expenses.claim_detail", claim_id=claim.id)
    except RuntimeError:
        return ""


def awaiting_payment():
    return (select(ExpenseClaim).where(ExpenseClaim.status == APPROVED)
            .options(selectinload(ExpenseClaim.claimant)).order_by(ExpenseClaim.approved_at))


# ---- approval adapter ---------------------------------------------------------------------

def threshold_steps(line_manager_name=None) -> list[dict]:
    """Line manager always; the manager above one setting; the director above the other."""
    return [
        approvals.step_dict(line_manager_name or _l("直属上级审批"), "line_manager"),
        approvals.step_dict(_l("销售经理审批"), "role", "manager",
                            min_amount=company_settings.get("expense_manager_threshold")),
        approvals.step_dict(_l("销售总监审批"), "role", "director",
                            min_amount=company_settings.get("expense_director_threshold")),
    ]


def budget_rows(claim: ExpenseClaim) -> list[tuple[object, object]]:
    """The claimant's period budgets (left before this claim) and why the claim was escalated, if it was."""
    from . import expense_budgets

    rows = [(_l("期间预算"), s.text()) for s in expense_budgets.standings(claim)]
    request = approvals.request_for("expense", claim.id)
    rows += [(_l("超预算"), step["note"]) for step in (request.steps if request else []) if step.get("note")]
    return rows


class SettingsRoute:
    """Mixin: the default route is read from the threshold settings when a document is submitted."""

    @property
    def default_steps(self) -> list[dict]:
        return threshold_steps()

    @default_steps.setter
    def default_steps(self, value) -> None:  # the dataclass __init__ assigns it; the settings win
        pass


class ExpenseAdapter(SettingsRoute, approvals.ModelAdapter):
    def summary(self, doc):
        rows = [(_l("报销人"), doc.claimant.name), (_l("事由"), doc.title), (_l("金额"), money(doc.total))]
        flagged = unbacked_lines(doc)
        rows += [(CATEGORY_LABELS[ln.category], " ".join(part for part in (
                  f"{ln.spent_on:%Y-%m-%d} {money(ln.amount)} {ln.description}", outing_label(ln),
                  f"⚠ {UNBACKED}" if ln.id in flagged else "") if part))
                 for ln in doc.lines]
        rows.append((_l("票据"), str(len(receipts.for_doc("expense", doc.id)))))
        outstanding = outstanding_total(doc.claimant_id)
        if outstanding:
            rows.append((_l("未冲销借款"), money(outstanding)))
        return rows + budget_rows(doc)

    def on_approved(self, doc, actor):
        super().on_approved(doc, actor)
        for payer in db.session.scalars(select(User).where(User.role.in_(PAYERS), User.active)):
            if payer.id != doc.claimant_id:
                notify.tell(f"expense:{doc.id}:to-pay:u{payer.id}", payer,
                            str(_l("待支付报销：%(title)s", title=self.title(doc))),
                            str(_l("报销单已审批通过，金额 %(amount)s，请支付。", amount=money(doc.total))),
                            _claim_url(doc))


approvals.register(ExpenseAdapter(
    "expense", _l("费用报销"), model=ExpenseClaim, owner_attr="claimant", amount_attr="total",
    title_of=lambda d: str(_l("报销单 #%(id)d %(name)s：%(title)s", id=d.id, name=d.claimant.name, title=d.title)),
    endpoint="expenses.claim_detail", id_arg="claim_id", statuses=approvals.STANDARD_STATUSES,
    stamps={"submitted": "submitted_at", "approved": "approved_at"}))
