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
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from decimal import Decimal

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, case, event, func, literal, select, update
from sqlalchemy.orm import Session, aliased, selectinload

from ..clock import now_utc, today_local
from ..extensions import db
from ..models import AuditEntry, Customer, User
from ..models.contracts import SIGNED, Contract
from ..models.orders import CHECKED, PAY_TYPES, Invoice, Order
from ..models.receivables import ALLOCATION, GENESIS, REVERSAL, IncomingPayment, PaymentAllocation
from ..models.sql import local_days_since, money_sum
from ..web.formatting import money
from . import audit, notify, receipts
from .errors import AlreadyDecided, DomainError, Forbidden
from .ledger import LedgerIsAppendOnly, _changed, cents
from .locking import lock_row
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
        return url_for("receivables.payment_detail", incoming_id=payment.id)
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
    """Confirmed allocations net of confirmed reversals: what the receivables count as paid (kept on the
    invoice by confirm; verify checks it against the allocations)."""
    value = db.session.scalar(select(Invoice.collected).where(Invoice.id == invoice_id))
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _confirmed_by_invoice():
    return (select(PaymentAllocation.invoice_id, money_sum(PaymentAllocation.amount).label("collected"))
            .where(PaymentAllocation.confirmed_by_id.is_not(None), PaymentAllocation.invoice_id.is_not(None))
            .group_by(PaymentAllocation.invoice_id))


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
                                   .options(selectinload(PaymentAllocation.invoice),
                                            selectinload(PaymentAllocation.contract))
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


def _append(actor: User, payment: IncomingPayment, kind: str, amount: Decimal, invoice: Invoice | None, *,
            memo: str = "", reverses: PaymentAllocation | None = None, contract_ref: int | None = None
            ) -> PaymentAllocation:
    """The one way an allocation row is written. `amount` is signed (+ allocate, − reverse)."""
    audit.lock()  # the audit chain lock first, then the rows: every writer in the same order
    payment = lock_row(IncomingPayment, payment.id)
    if invoice is not None:
        invoice = lock_row(Invoice, invoice.id)
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
    contract = _contract_of(payment, invoice, contract_ref)
    return _append(actor, payment, ALLOCATION, amount, invoice, memo=memo,
                   contract_ref=contract.id if contract else None)


def _contract_of(payment: IncomingPayment, invoice: Invoice, contract_ref: int | None) -> Contract | None:
    """The contract the money is for: the one named, else the one the invoice's order was placed against.
    It must be a signed contract of the paying customer, and the invoice's own if the order has one."""
    if contract_ref is None:
        return invoice.order.contract
    contract = db.session.get(Contract, contract_ref)
    if contract is None or contract.customer_id != payment.customer_id:
        raise DomainError(_l("请选择该客户的合同"), field="contract_id")
    if contract.status != SIGNED:
        raise DomainError(_l("合同 %(number)s 尚未签订", number=contract.number), field="contract_id")
    if invoice.order.contract_id is not None and invoice.order.contract_id != contract.id:
        raise DomainError(_l("发票 %(no)s 属于合同 %(number)s", no=invoice.invoice_no,
                             number=invoice.order.contract.number), field="contract_id")
    return contract


def signed_contracts(customer_id: int) -> list[Contract]:
    """The paying customer's signed contracts (the allocation form's contract choices), newest first."""
    return list(db.session.scalars(select(Contract).where(Contract.customer_id == customer_id,
                                                          Contract.status == SIGNED)
                                   .order_by(Contract.signed_on.desc(), Contract.id.desc()).limit(200)))


def allocate_many(actor: User, payment: IncomingPayment, amounts: dict[int, Decimal], memo: str = "",
                  contract_ref: int | None = None) -> list:
    """The allocation form: several invoices at once, all or nothing, optionally for one named contract
    (else each invoice's own). A wrong contract is said next to the contract field, the rest next to
    the invoice's amount."""
    if not any(amounts.values()):
        raise DomainError(_l("请至少为一张发票填写分配金额"), field="amount")
    made = []
    for invoice_id, amount in sorted(amounts.items()):
        if amount:
            try:
                made.append(allocate(actor, payment, db.session.get(Invoice, invoice_id), amount, memo,
                                     contract_ref=contract_ref))
            except DomainError as exc:
                if exc.field == "contract_id":
                    raise
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
    payment = lock_row(IncomingPayment, row.payment_id)
    row = lock_row(PaymentAllocation, row.id)
    if row.confirmed_by_id is not None:
        raise AlreadyDecided(_l("该分配已由 %(name)s 确认", name=row.confirmed_by.name))
    if row.kind == REVERSAL:
        # A confirmed reversal of an unconfirmed allocation would leave the invoice's confirmed
        # money below zero: finance confirms the allocation first, then its reversal.
        original = db.session.get(PaymentAllocation, row.reverses_id)
        if original is not None and original.confirmed_by_id is None:
            raise DomainError(_l("请先确认被冲销的那笔分配，再确认冲销"))
        payment.allocated += row.amount  # the reversed money is free again only now
    row.confirmed_by_id, row.confirmed_at = actor.id, now_utc()
    if row.invoice_id is not None:
        # An increment in SQL, not a read and write in Python: two receipts confirmed on the same
        # invoice at once both count (the row lock of the UPDATE orders them). Rounded to the fen: SQLite
        # adds its numerics as floats.
        db.session.execute(update(Invoice).where(Invoice.id == row.invoice_id)
                           .values(collected=func.round(Invoice.collected + row.amount, 2)),
                           execution_options={"synchronize_session": "fetch"})
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


# ---- receivables (应收账款) with ageing ------------------------------------------------------------

BUCKETS = ("0_30", "31_60", "61_90", "over_90")
BUCKET_LABELS = {"0_30": _l("0–30 天"), "31_60": _l("31–60 天"), "61_90": _l("61–90 天"), "over_90": _l("90 天以上")}
CURRENT, DUE, OVERDUE = "current", "due", "overdue"
FLAG_LABELS = {CURRENT: _l("未到期"), DUE: _l("即将到期"), OVERDUE: _l("已逾期")}
ZERO = Decimal("0.00")


@dataclass
class Figures:
    """Invoiced, collected (confirmed allocations) and open amounts, the open amount by age bucket."""

    invoiced: Decimal = ZERO
    collected: Decimal = ZERO
    open: Decimal = ZERO
    buckets: dict = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))
    due: Decimal = ZERO
    overdue: Decimal = ZERO
    count: int = 0


@dataclass
class Line:
    invoice_id: int
    number: str
    invoice_no: str
    customer_id: int
    customer: str
    rep_id: int
    rep: str
    team_id: int | None
    invoiced_on: date
    due_on: date
    age: int
    bucket: str
    flag: str
    figures: Figures


@dataclass
class Group:
    key: int | None
    name: str
    figures: Figures
    credit: Decimal = ZERO


@dataclass
class Receivables:
    asof: date
    collection_days: int
    lines: list[Line]
    by_customer: list[Group]
    by_rep: list[Group]
    total: Figures
    # The per-customer view is paged: the page's customers are in by_customer, these are the whole
    # filtered register's (the totals row and the pager must not depend on the page shown).
    customer_count: int = 0
    credit_total: Decimal = ZERO
    more_customers: bool = False


def _rules() -> tuple[int, int]:
    from . import settings

    return settings.get("collection_days"), settings.get("collection_warn_days")


def _invoice_rows(user: User, asof: date, days: int, warn: int):
    """One row per open checked invoice the user may see: amounts, age, bucket and flag, in SQL. The
    condition `amount > collected` is the partial index's (ix_invoice_open): only open invoices are read."""
    got = Invoice.collected
    age = local_days_since(Invoice.checked_at, literal(asof, Date))
    rep = aliased(User)
    bucket = case((age <= 30, "0_30"), (age <= 60, "31_60"), (age <= 90, "61_90"), else_="over_90")
    flag = case((age > days, OVERDUE), (age >= days - warn, DUE), else_=CURRENT)
    return (select(Invoice.id.label("invoice_id"), Invoice.number, Invoice.invoice_no,
                   Customer.id.label("customer_id"), Customer.name.label("customer"), rep.id.label("rep_id"),
                   rep.name.label("rep"), rep.team_id, Invoice.amount.label("invoiced"), got.label("collected"),
                   (Invoice.amount - got).label("open"), age.label("age"), bucket.label("bucket"), flag.label("flag"))
            .join(Order, Invoice.order_id == Order.id).join(Customer, Order.customer_id == Customer.id)
            .join(rep, Customer.owner_id == rep.id)
            .where(Invoice.status == CHECKED, Invoice.amount > Invoice.collected, Invoice.checked_at.is_not(None), age >= 0,
                   scope(user, Customer.owner_id)))


def _sums(sub):
    return [money_sum(sub.c.invoiced), money_sum(sub.c.collected), money_sum(sub.c.open),
            *[money_sum(case((sub.c.bucket == b, sub.c.open), else_=0)) for b in BUCKETS],
            money_sum(case((sub.c.flag == DUE, sub.c.open), else_=0)),
            money_sum(case((sub.c.flag == OVERDUE, sub.c.open), else_=0)), func.count()]


def _figures(values) -> Figures:
    invoiced, collected, open_, *rest = values
    *buckets, due, overdue, count = rest
    q = [Decimal(v or 0).quantize(Decimal("0.01")) for v in (invoiced, collected, open_, *buckets, due, overdue)]
    return Figures(q[0], q[1], q[2], dict(zip(BUCKETS, q[3:7], strict=True)), q[7], q[8], int(count or 0))


def receivables(user: User, asof: date | None = None, *, customer_id: int | None = None, rep_id: int | None = None,
                team_id: int | None = None, flag: str = "",
                parts: tuple[str, ...] = ("invoice", "customer", "rep"), per_page: int | None = None,
                page: int = 1) -> Receivables:
    """Every figure of the receivables page and its export: per invoice, per customer (with the
    customer's unallocated credit), per rep and in total, as of a business date (default today).
    `parts` names the breakdowns wanted (the page shows one view: it does not read the other two).
    With `per_page` the per-customer breakdown holds one page of customers (by name, then id) and
    `more_customers` says whether another follows; the totals, the customer count and the credit
    total stay those of the whole filtered register."""
    asof = asof or today_local()
    days, warn = _rules()
    stmt = _invoice_rows(user, asof, days, warn)
    if customer_id:
        stmt = stmt.where(Customer.id == customer_id)
    if rep_id:
        stmt = stmt.where(Customer.owner_id == rep_id)
    if team_id:
        stmt = stmt.where(Customer.owner_id.in_(select(User.id).where(User.team_id == team_id)))
    sub = stmt.subquery()
    if flag in FLAG_LABELS:
        sub = select(sub).where(sub.c.flag == flag).subquery()
    lines = [] if "invoice" not in parts else [Line(r.invoice_id, r.number, r.invoice_no, r.customer_id, r.customer, r.rep_id, r.rep, r.team_id,
                  asof - timedelta(days=r.age), asof - timedelta(days=r.age) + timedelta(days=days), r.age, r.bucket,
                  r.flag, _figures((r.invoiced, r.collected, r.open, *[r.open if r.bucket == b else 0 for b in BUCKETS],
                                    r.open if r.flag == DUE else 0, r.open if r.flag == OVERDUE else 0, 1)))
             for r in db.session.execute(select(sub).order_by(sub.c.age.desc(), sub.c.invoice_id))]
    by_customer: list[Group] = []
    more = False
    if "customer" in parts:
        # id breaks ties between equal names so that a page boundary is stable
        grouped = (select(sub.c.customer_id, sub.c.customer, *_sums(sub)).group_by(sub.c.customer_id, sub.c.customer)
                   .order_by(sub.c.customer, sub.c.customer_id))
        if per_page:
            grouped = grouped.limit(per_page + 1).offset((max(page, 1) - 1) * per_page)
        by_customer = [Group(r[0], r[1], _figures(r[2:])) for r in db.session.execute(grouped)]
        if per_page and len(by_customer) > per_page:
            by_customer, more = by_customer[:per_page], True
    credits = _credits([g.key for g in by_customer])
    for g in by_customer:
        g.credit = credits.get(g.key, ZERO)
    by_rep = [] if "rep" not in parts else [Group(r[0], r[1], _figures(r[2:])) for r in db.session.execute(
        select(sub.c.rep_id, sub.c.rep, *_sums(sub)).group_by(sub.c.rep_id, sub.c.rep).order_by(sub.c.rep))]
    if "customer" in parts:
        # The totals of the paged customer view come from the register grouped by customer (the same
        # rows, evaluated once) joined to each customer's credit, so that the customer count and the
        # credit total of the whole register cost no statement of their own.
        names = [f"s{i}" for i in range(len(_sums(sub)))]
        per_customer = select(sub.c.customer_id, *[c.label(n) for c, n in zip(_sums(sub), names, strict=True)]) \
            .group_by(sub.c.customer_id).subquery()
        credit = _credit_by_customer().subquery()
        row = db.session.execute(
            select(*[money_sum(per_customer.c[n]) for n in names[:-1]], func.sum(per_customer.c[names[-1]]),
                   func.count(), money_sum(credit.c.credit))
            .select_from(per_customer).outerjoin(credit, credit.c.customer_id == per_customer.c.customer_id)).one()
        total = _figures(row[:-2])
        customer_count, credit_total = row[-2], row[-1]
    else:
        total = _figures(db.session.execute(select(*_sums(sub))).one())
        customer_count, credit_total = 0, 0
    return Receivables(asof, days, lines, by_customer, by_rep, total, int(customer_count or 0),
                       Decimal(credit_total or 0).quantize(Decimal("0.01")), more)


def _credit_by_customer():
    """Each customer's money received and not yet allocated (客户余额): one statement for the page's
    customers and for the register's credit total. Payments fully allocated add zero, so they are left out."""
    return (select(IncomingPayment.customer_id.label("customer_id"),
                   money_sum(IncomingPayment.amount - IncomingPayment.allocated).label("credit"))
            .where(IncomingPayment.amount != IncomingPayment.allocated).group_by(IncomingPayment.customer_id))


def _credits(customer_ids: list[int]) -> dict[int, Decimal]:
    if not customer_ids:
        return {}
    rows = db.session.execute(_credit_by_customer().where(IncomingPayment.customer_id.in_(customer_ids)))
    return {cid: Decimal(v or 0).quantize(Decimal("0.01")) for cid, v in rows}


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
    confirmed = _confirmed_by_invoice().subquery()
    for number, kept, counted in db.session.execute(
            select(Invoice.number, Invoice.collected, func.coalesce(confirmed.c.collected, 0))
            .outerjoin(confirmed, confirmed.c.invoice_id == Invoice.id)
            .where(func.abs(Invoice.collected - func.coalesce(confirmed.c.collected, 0)) > 0.005)):
        problems.append(f"invoice {number}: collected {kept} does not match its confirmed allocations {counted}")
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
