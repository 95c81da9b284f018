"""Incoming money (来款, SPEC 2.10): finance registers the receipt from the bank slip; the assistant
allocates it to the customer's invoices (partial allocations; the rest stays as customer credit);
finance confirms each allocation — never the person who made it (four eyes).

The same discipline as the petty-cash ledger (services/ledger.py):
- every allocation goes through `_append`, which takes the audit chain lock first and then the
  receipt row (SELECT … FOR UPDATE) and the invoice row, always in that order, so two people
  allocating the same receipt at once are serialised and never allocate more than it holds;
- allocations are never edited or deleted (a `before_flush` guard), corrections are reversals;
- each allocation's hash is chained to the receipt's previous one and written into the audit
  trail, so `verify()` (run by `flask audit-verify`) finds a row changed behind the app's back.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date
from decimal import Decimal

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ..clock import now_utc, today_local
from ..extensions import db
from ..models import AuditEntry, Customer, User
from ..models.orders import CHECKED, PAY_TYPES, Invoice, Order
from ..models.receivables import ALLOCATION, GENESIS, REVERSAL, IncomingPayment, PaymentAllocation
from ..web.formatting import money
from . import audit, notify, receipts
from .errors import AlreadyDecided, DomainError, Forbidden
from .ledger import LedgerIsAppendOnly, _changed, cents
from .orders import ALL_SEEING, scope
from .payments import _number
from .samples import InputErrors

REGISTRARS = ("finance",)
ALLOCATORS = ("assistant",)
CONFIRMERS = ("finance",)
READERS = ALL_SEEING  # manager, director, gm, assistant, finance: every money record
SLIP_DOC = "incoming_payment"
KIND_LABELS = {ALLOCATION: _l("分配"), REVERSAL: _l("冲销")}


# ---- visibility -------------------------------------------------------------------------------

def can_read(user: User, payment: IncomingPayment | None = None) -> bool:
    if user.role in READERS:
        return True
    return payment is not None and user.role in ("rep", "supervisor") and \
        db.session.scalar(select(Customer.id).where(Customer.id == payment.customer_id,
                                                    scope(user, Customer.owner_id))) is not None


def visible(user: User):
    """Receipts the user may see: money people all of them, reps and supervisors their customers'."""
    stmt = select(IncomingPayment)
    if user.role not in READERS:
        stmt = stmt.join(Customer, IncomingPayment.customer_id == Customer.id).where(scope(user, Customer.owner_id))
    return stmt


def get_or_404(user: User, payment_id: int) -> IncomingPayment:
    payment = db.session.get(IncomingPayment, payment_id)
    if payment is None or not can_read(user, payment):
        abort(404)
    return payment


@receipts.visibility(SLIP_DOC)
def _slip_visible(user, payment_id: int) -> bool:
    payment = db.session.get(IncomingPayment, payment_id)
    return payment is not None and can_read(user, payment)


def payment_url(payment: IncomingPayment) -> str:
    try:
        return url_for("receivables.payment_detail", payment_id=payment.id)
    except RuntimeError:
        return f"/receivables/payments/{payment.id}"


# ---- registering a receipt (finance) ------------------------------------------------------------

def register(actor: User, fields: dict, slip: tuple[str, bytes] | None) -> IncomingPayment:
    """fields: customer (Customer|None), payer, pay_type, bank, amount (Decimal|None), received_on (date|None),
    note. `slip`: (file name, bytes) of the bank slip, checked by content like every upload."""
    if actor.role not in REGISTRARS:
        raise Forbidden(_l("来款由财务登记"))
    errors: dict = {}
    customer: Customer | None = fields.get("customer")
    if customer is None:
        errors["customer_id"] = _l("请选择客户")
    texts = {}
    for name, limit, label, required in (("payer", 120, _l("付款单位"), True), ("bank", 120, _l("收款银行"), False),
                                         ("note", 200, _l("备注"), False)):
        value = (fields.get(name) or "").strip()
        if required and not value:
            errors[name] = _l("请填写%(label)s", label=label)
        elif len(value) > limit:
            errors[name] = _l("%(label)s最多 %(n)d 个字", label=label, n=limit)
        texts[name] = value
    if fields.get("pay_type") not in PAY_TYPES:
        errors["pay_type"] = _l("请选择付款方式")
    amount = fields.get("amount")
    try:
        amount = cents(amount) if amount is not None else None
    except (DomainError, TypeError):
        amount = None
    if amount is None:
        errors["amount"] = _l("请填写金额")
    received_on = fields.get("received_on")
    if not isinstance(received_on, date):
        errors["received_on"] = _l("请填写到账日期")
    elif received_on > today_local():
        errors["received_on"] = _l("到账日期不能晚于今天")
    if slip is None or not slip[1]:
        errors["slip"] = _l("请上传银行回单")
    else:
        try:
            receipts.check(slip[1], field="slip")
        except DomainError as exc:
            errors["slip"] = exc.message
    if errors:
        raise InputErrors(errors)
    audit.lock()
    payment = IncomingPayment(number=_number("LK", IncomingPayment), customer_id=customer.id, pay_type=fields["pay_type"],
                              amount=amount, received_on=received_on, registered_by_id=actor.id,
                              registered_at=now_utc(), allocated=Decimal("0.00"), entry_count=0, last_hash=GENESIS,
                              **texts)
    payment.customer = customer
    db.session.add(payment)
    db.session.flush()
    receipts.attach(actor, SLIP_DOC, payment.id, slip[0], slip[1], field="slip")
    audit.record(actor, "incoming.register", payment, after=_payment_snapshot(payment))
    for user in db.session.scalars(select(User).where(User.role == "assistant", User.active)):
        notify.todo(f"incoming:{payment.id}:allocate:u{user.id}", user,
                    str(_l("来款待分配：%(number)s %(customer)s %(amount)s", number=payment.number,
                           customer=customer.name, amount=money(amount))), payment_url(payment))
    return payment


def _payment_snapshot(p: IncomingPayment) -> dict:
    return {"number": p.number, "customer": p.customer_id, "payer": p.payer, "amount": p.amount,
            "received_on": p.received_on.isoformat(), "bank": p.bank, "pay_type": p.pay_type}


def slip(payment: IncomingPayment):
    found = receipts.for_doc(SLIP_DOC, payment.id)
    return found[0] if found else None


# ---- figures of one receipt and one invoice ----------------------------------------------------

def _reserving(column_filter):
    """Σ allocations (pending or confirmed) + Σ confirmed reversals: what is spoken for."""
    return select(func.coalesce(func.sum(PaymentAllocation.amount), 0)).where(
        column_filter, (PaymentAllocation.kind == ALLOCATION) | PaymentAllocation.confirmed_by_id.is_not(None))


def invoice_reserved(invoice_id: int) -> Decimal:
    return Decimal(db.session.scalar(_reserving(PaymentAllocation.invoice_id == invoice_id)) or 0).quantize(Decimal("0.01"))


def invoice_collected(invoice_id: int) -> Decimal:
    """Confirmed allocations net of confirmed reversals: what the receivables count as paid."""
    value = db.session.scalar(select(func.coalesce(func.sum(PaymentAllocation.amount), 0)).where(
        PaymentAllocation.invoice_id == invoice_id, PaymentAllocation.confirmed_by_id.is_not(None)))
    return Decimal(value or 0).quantize(Decimal("0.01"))


def invoice_open(invoice: Invoice) -> Decimal:
    """What may still be allocated to the invoice."""
    return invoice.amount - invoice_reserved(invoice.id)


def open_invoices(customer_id: int) -> list[tuple[Invoice, Decimal]]:
    """The customer's checked invoices with something left to allocate, oldest first."""
    rows = db.session.scalars(select(Invoice).join(Order, Invoice.order_id == Order.id).where(
        Order.customer_id == customer_id, Invoice.status == CHECKED).order_by(Invoice.checked_at, Invoice.id))
    return [(inv, left) for inv in rows if (left := invoice_open(inv)) > 0]


def customer_credit(customer_id: int) -> Decimal:
    """The customer's money received and not allocated to any invoice (预收款)."""
    value = db.session.scalar(select(func.coalesce(func.sum(IncomingPayment.amount - IncomingPayment.allocated), 0))
                              .where(IncomingPayment.customer_id == customer_id))
    return Decimal(value or 0).quantize(Decimal("0.01"))


def allocations(payment: IncomingPayment) -> list[PaymentAllocation]:
    return list(db.session.scalars(select(PaymentAllocation).where(PaymentAllocation.payment_id == payment.id)
                                   .order_by(PaymentAllocation.seq)))


def reversed_ids(payment: IncomingPayment) -> set[int]:
    return set(db.session.scalars(select(PaymentAllocation.reverses_id).where(
        PaymentAllocation.payment_id == payment.id, PaymentAllocation.reverses_id.is_not(None))))


# ---- appending ----------------------------------------------------------------------------------

def _digest(a: PaymentAllocation) -> str:
    payload = json.dumps([
        a.prev_hash, a.payment_id, a.seq, a.kind, a.customer_id, a.invoice_id, a.contract_ref, f"{a.amount:.2f}",
        a.memo or "", a.reverses_id, a.allocated_by_id, a.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
    ], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock(model, row_id: int):
    """Re-read a row under a row lock (PostgreSQL); SQLite serialises writers already."""
    return db.session.scalar(select(model).where(model.id == row_id).with_for_update()
                             .execution_options(populate_existing=True))


def _append(actor: User, payment: IncomingPayment, kind: str, amount: Decimal, invoice: Invoice | None, *,
            memo: str = "", reverses: PaymentAllocation | None = None, contract_ref: int | None = None
            ) -> PaymentAllocation:
    """The one way an allocation row is written. `amount` is signed (+ allocate, − reverse)."""
    audit.lock()  # the audit chain lock first, then the rows: every writer in the same order
    payment = _lock(IncomingPayment, payment.id)
    if invoice is not None:
        invoice = _lock(Invoice, invoice.id)
    if kind == ALLOCATION:
        if amount > payment.amount - payment.allocated:
            raise DomainError(_l("超出来款未分配金额：未分配 %(left)s，本次分配 %(amount)s",
                                 left=money(payment.amount - payment.allocated), amount=money(amount)), field="amount")
        if invoice is not None and amount > invoice_open(invoice):
            raise DomainError(_l("超出发票 %(no)s 的未收金额 %(left)s", no=invoice.invoice_no,
                                 left=money(invoice_open(invoice))), field="amount")
        payment.allocated += amount
    now = now_utc()
    row = PaymentAllocation(
        payment_id=payment.id, seq=payment.entry_count + 1, kind=kind, customer_id=payment.customer_id,
        invoice_id=invoice.id if invoice else None, contract_ref=contract_ref, amount=amount,
        memo=(memo or "").strip()[:200], reverses_id=reverses.id if reverses else None, allocated_by_id=actor.id,
        created_at=now, prev_hash=payment.last_hash)
    row.hash = _digest(row)
    db.session.add(row)
    payment.entry_count, payment.last_hash = row.seq, row.hash
    db.session.flush()
    audit.record(actor, f"incoming.{kind}", row, after=_snapshot(row))
    for user in db.session.scalars(select(User).where(User.role.in_(CONFIRMERS), User.active, User.id != actor.id)):
        notify.todo(f"allocation:{row.id}:confirm:u{user.id}", user,
                    str(_l("来款分配待确认：%(number)s %(kind)s %(amount)s", number=payment.number,
                           kind=KIND_LABELS[kind], amount=money(amount))), payment_url(payment))
    return row


def _snapshot(a: PaymentAllocation) -> dict:
    return {"payment": a.payment_id, "seq": a.seq, "kind": a.kind, "invoice": a.invoice_id, "amount": a.amount,
            "contract_ref": a.contract_ref, "reverses": a.reverses_id, "memo": a.memo, "hash": a.hash}


def allocate(actor: User, payment: IncomingPayment, invoice: Invoice, amount, memo: str = "",
             contract_ref: int | None = None) -> PaymentAllocation:
    """Allocate part (or all) of a receipt to one of the customer's checked invoices."""
    if actor.role not in ALLOCATORS:
        raise Forbidden(_l("来款由销售内勤分配"))
    if invoice is None:
        raise DomainError(_l("请选择发票"), field="invoice_id")
    amount = cents(amount)
    if invoice.status != CHECKED:
        raise DomainError(_l("只能分配到已复核的发票"), field="invoice_id")
    if invoice.order.customer_id != payment.customer_id:
        raise DomainError(_l("发票 %(no)s 不是该客户的发票", no=invoice.invoice_no), field="invoice_id")
    return _append(actor, payment, ALLOCATION, amount, invoice, memo=memo, contract_ref=contract_ref)


def allocate_many(actor: User, payment: IncomingPayment, amounts: dict[int, Decimal], memo: str = "") -> list:
    """The allocation form: several invoices at once, all or nothing."""
    if not any(amounts.values()):
        raise DomainError(_l("请至少为一张发票填写分配金额"), field="amount")
    made = []
    for invoice_id, amount in sorted(amounts.items()):
        if amount:
            try:
                made.append(allocate(actor, payment, db.session.get(Invoice, invoice_id), amount, memo))
            except DomainError as exc:
                raise InputErrors({f"amount_{invoice_id}": exc.message}) from exc
    return made


def reverse(actor: User, row: PaymentAllocation, memo: str) -> PaymentAllocation:
    """The correction of a wrong allocation (冲销): a new row with the opposite amount. It frees the
    money once finance confirms it; until then the allocation still counts."""
    if actor.role not in ALLOCATORS:
        raise Forbidden(_l("来款由销售内勤分配"))
    if not (memo or "").strip():
        raise DomainError(_l("请填写冲销原因"), field="memo")
    if row.kind == REVERSAL:
        raise DomainError(_l("冲销记录不能再冲销"))
    audit.lock()
    if db.session.scalar(select(PaymentAllocation.id).where(PaymentAllocation.reverses_id == row.id)):
        raise AlreadyDecided(_l("该分配已经冲销过"))
    return _append(actor, row.payment, REVERSAL, -row.amount, row.invoice, memo=memo, reverses=row,
                   contract_ref=row.contract_ref)


# ---- confirmation (four eyes) ----------------------------------------------------------------------

def may_confirm(user: User, row: PaymentAllocation) -> bool:
    return user.role in CONFIRMERS and row.allocated_by_id != user.id and row.confirmed_by_id is None


def confirm(actor: User, row: PaymentAllocation) -> PaymentAllocation:
    """Finance confirms an allocation or a reversal — never one they wrote themselves."""
    if actor.role not in CONFIRMERS:
        raise Forbidden(_l("来款分配由财务确认"))
    if row.allocated_by_id == actor.id:
        raise Forbidden(_l("双人复核：不能确认自己做的分配"))
    audit.lock()
    payment = _lock(IncomingPayment, row.payment_id)
    row = _lock(PaymentAllocation, row.id)
    if row.confirmed_by_id is not None:
        raise AlreadyDecided(_l("该分配已由 %(name)s 确认", name=row.confirmed_by.name))
    if row.kind == REVERSAL:
        payment.allocated += row.amount  # the reversed money is free again only now
    row.confirmed_by_id, row.confirmed_at = actor.id, now_utc()
    notify.close_todos([f"allocation:{row.id}:confirm:"])
    if payment.allocated >= payment.amount:
        notify.close_todos([f"incoming:{payment.id}:allocate:"])
    db.session.flush()
    audit.record(actor, "incoming.confirm", row, after={"seq": row.seq, "hash": row.hash, "confirmed_by": actor.id})
    return row


def unconfirmed(for_user: User | None = None):
    stmt = select(PaymentAllocation).where(PaymentAllocation.confirmed_by_id.is_(None)).order_by(PaymentAllocation.id)
    if for_user is not None:
        stmt = stmt.where(PaymentAllocation.allocated_by_id != for_user.id)
    return stmt


def to_allocate():
    return select(IncomingPayment).where(IncomingPayment.allocated < IncomingPayment.amount) \
        .order_by(IncomingPayment.received_on, IncomingPayment.id)


# ---- integrity ----------------------------------------------------------------------------------------

def verify() -> list[str]:
    """Every receipt's chain, sequence and reserved figure, cross-checked with the audit trail."""
    recorded, confirmations = {}, {}
    for entry in db.session.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "PaymentAllocation",
            AuditEntry.action.in_(("incoming.allocation", "incoming.reversal", "incoming.confirm")))):
        if entry.action == "incoming.confirm":
            confirmations[entry.object_id] = (entry.after or {}).get("confirmed_by")
        else:
            recorded[entry.object_id] = (entry.after or {}).get("hash")
    problems, seen = [], set()
    for payment in db.session.scalars(select(IncomingPayment).order_by(IncomingPayment.id)):
        problems += _verify_payment(payment, recorded, confirmations, seen)
    for missing in sorted(set(recorded) - seen):
        problems.append(f"allocation #{missing} is in the audit trail but no longer in the books")
    return problems


def _verify_payment(payment, recorded, confirmations, seen) -> list[str]:
    problems, prev_hash, seq, reserved = [], GENESIS, 0, Decimal("0.00")
    stmt = select(PaymentAllocation).where(PaymentAllocation.payment_id == payment.id) \
        .order_by(PaymentAllocation.seq, PaymentAllocation.id)
    for a in db.session.scalars(stmt):
        seen.add(a.id)
        seq += 1
        where = f"receipt #{payment.id} allocation #{a.id} (seq {a.seq})"
        if a.seq != seq:
            problems.append(f"{where}: expected seq {seq} — an allocation is missing")
            seq = a.seq
        if a.prev_hash != prev_hash or _digest(a) != a.hash:
            problems.append(f"{where}: content or link changed (hash mismatch)")
        if recorded.get(a.id) != a.hash:
            problems.append(f"{where}: differs from its audit record")
        if a.confirmed_by_id is not None and confirmations.get(a.id) != a.confirmed_by_id:
            problems.append(f"{where}: confirmation not in the audit trail")
        if a.kind == ALLOCATION or a.confirmed_by_id is not None:
            reserved += a.amount
        prev_hash = a.hash
    if payment.allocated != reserved or payment.last_hash != prev_hash or payment.entry_count != seq:
        problems.append(f"receipt #{payment.id}: allocated {payment.allocated} does not match its allocations {reserved}")
    return problems


# ---- append-only guards (the ledger's, for these rows) ------------------------------------------------

_CONFIRMATION = {"confirmed_by_id", "confirmed_at", "confirmed_by"}
_RUNNING = {"allocated", "entry_count", "last_hash"}


@event.listens_for(Session, "before_flush")
def _append_only(session, flush_context, instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, PaymentAllocation | IncomingPayment):
            raise LedgerIsAppendOnly("receipts and allocations are never deleted; record a reversal")
    for obj in session.dirty:
        if isinstance(obj, PaymentAllocation):
            changed = _changed(obj)
            if set(changed) - _CONFIRMATION:
                raise LedgerIsAppendOnly(f"allocations are never edited (tried to change {sorted(changed)})")
            history = changed.get("confirmed_by_id")
            if history and any(v is not None for v in history.deleted):
                raise LedgerIsAppendOnly("an allocation is confirmed once")
        elif isinstance(obj, IncomingPayment):
            changed = set(_changed(obj)) - _RUNNING
            if changed:
                raise LedgerIsAppendOnly(f"a receipt is never edited (tried to change {sorted(changed)})")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_edits(state) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None and \
            state.bind_mapper.class_ in (PaymentAllocation, IncomingPayment):
        raise LedgerIsAppendOnly("receipts and allocations are never bulk-updated or deleted")
