"""The performance sheet of a contract (《合同履行一览表》, SPEC 2.10).

Everything done since the contract took effect (its signing day), in date order, read from the records
themselves — never typed twice:
- every order placed against it (sales_order.contract_id), cancelled ones shown but not counted;
- every checked shipment of those orders (valued at the order lines' prices), exchanges (换货) included, and
  the goods of linked returns counted back into stock (退货入库, the same value taken off what was shipped);
- every checked invoice of those orders;
- every confirmed allocation of incoming money to the contract (payment_allocation.contract_ref), net of
  confirmed reversals (an allocation still waiting for finance is not money collected yet);
- and what has no record elsewhere: production/delivery follow-up notes (生产/交货跟踪), acceptance (验收)
  and the documents handed over (随货资料) — `ContractEvent`, append-only: a wrong entry is never edited,
  it gets a cancelling entry (撤销).

Each row carries the running figures (ordered, shipped, invoiced, collected) and what is still to go against
the contract amount (未下单 / 未发货 / 未开票 / 未回款). Decimal throughout.

Who may add entries or send the sheet: the contract's rep, the rep's supervisor, the assistant and the sales
manager. Who may read it: whoever may see the contract (services.contracts.can_see).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, selectinload

from ..clock import now_utc, today_local
from ..extensions import db
from ..models import User
from ..models.contract_performance import (
    ACCEPTANCE,
    CANCEL,
    DOCUMENT,
    DOCUMENT_TYPES,
    FOLLOW_UP,
    ContractEvent,
)
from ..models.contracts import CLOSED, SIGNED, Contract
from ..models.orders import (
    CANCELLED,
    CHECKED,
    M_RETURN,
    Invoice,
    Order,
    ProductMovement,
    ReturnOrderLink,
    Shipment,
)
from ..models.outbox import Email
from ..models.receivables import ALLOCATION, PaymentAllocation
from ..web.formatting import local
from . import audit, contracts, notify, receipts, settings
from .errors import AlreadyDecided, DomainError, Forbidden
from .samples import InputErrors

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
EVENT_DOC = "contract_event"  # stored files of handed-over documents (receipts.attach)
DESK_ROLES = ("assistant", "manager")
RECORDABLE = (FOLLOW_UP, ACCEPTANCE, DOCUMENT)

KIND_LABELS = {"signed": _l("合同生效"), "order": _l("订单"), FOLLOW_UP: _l("生产/交货跟踪"), "shipment": _l("发货"),
               "return": _l("退货入库"),
               DOCUMENT: _l("随货资料"), "invoice": _l("开票"), "payment": _l("回款"), "reversal": _l("回款冲销"),
               ACCEPTANCE: _l("验收"), CANCEL: _l("撤销记录")}
DOCUMENT_LABELS = {"manual": _l("说明书"), "certificate": _l("合格证"), "test_report": _l("检测报告"),
                   "other": _l("其他资料")}
# Same day: the order of things as they happen.
_KIND_ORDER = {k: i for i, k in enumerate(("signed", "order", FOLLOW_UP, "shipment", "return", DOCUMENT, "invoice",
                                           "payment",
                                           "reversal", ACCEPTANCE, CANCEL))}


class ContractEventsAreAppendOnly(RuntimeError):
    pass


# ---- who may ------------------------------------------------------------------------------------

def may_record(user: User, contract: Contract) -> bool:
    """The contract's rep, their supervisor, the assistant, the sales manager — on a signed contract."""
    if contract.status not in (SIGNED, CLOSED):
        return False
    if user.role in DESK_ROLES or user.id == contract.rep_id:
        return True
    return user.role == "supervisor" and contract.rep.reports_to_id == user.id


def _must_record(user: User, contract: Contract) -> None:
    if not contracts.can_see(user, contract) or not may_record(user, contract):
        raise Forbidden(_l("只有合同的业务员、其主管、销售内勤和销售经理可以登记合同履行情况"))


@receipts.visibility(EVENT_DOC)
def _file_visible(user, contract_id: int) -> bool:
    contract = db.session.get(Contract, contract_id)
    return contract is not None and contracts.can_see(user, contract)


# ---- entries (append-only) ------------------------------------------------------------------------

def add_event(actor: User, contract: Contract, kind: str, happened_on: date | None, note: str = "",
              document_type: str = "", file: tuple[str, bytes] | None = None) -> ContractEvent:
    """A follow-up note, an acceptance or a handed-over document (with its scan, optional)."""
    _must_record(actor, contract)
    if contract.status != SIGNED:
        raise DomainError(_l("合同签订后才能登记履行情况"))
    errors: dict = {}
    if kind not in RECORDABLE:
        errors["kind"] = _l("请选择登记类型")
    note = (note or "").strip()
    if happened_on is None:
        errors["happened_on"] = _l("请填写日期")
    elif happened_on > today_local():
        errors["happened_on"] = _l("日期不能晚于今天")
    elif contract.signed_on and happened_on < contract.signed_on:
        errors["happened_on"] = _l("日期不能早于合同签订日期 %(day)s", day=contract.signed_on.isoformat())
    if len(note) > 1000:
        errors["note"] = _l("说明最多 %(n)d 个字", n=1000)
    elif kind in (FOLLOW_UP, ACCEPTANCE) and not note:
        errors["note"] = _l("请填写跟踪情况") if kind == FOLLOW_UP else _l("请填写验收情况（验收人、结论）")
    if kind == DOCUMENT:
        if document_type not in DOCUMENT_TYPES:
            errors["document_type"] = _l("请选择资料类型")
        elif document_type == "other" and not note:
            errors["note"] = _l("其他资料请填写资料名称")
    else:
        document_type = ""
    if file is not None and file[1] and kind != DOCUMENT:
        errors["file"] = _l("只有随货资料可以上传文件")
    elif file is not None and file[1]:
        try:
            receipts.check(file[1], field="file")
        except DomainError as exc:
            errors["file"] = exc.message
    if errors:
        raise InputErrors(errors)
    row = ContractEvent(contract_id=contract.id, kind=kind, happened_on=happened_on, document_type=document_type,
                        note=note, by_id=actor.id, at=now_utc())
    if file is not None and file[1]:
        row.file_id = receipts.attach(actor, EVENT_DOC, contract.id, file[0], file[1], field="file").id
    db.session.add(row)
    db.session.flush()
    audit.record(actor, f"contract.event.{kind}", row, after=_snapshot(row))
    return row


def cancel_event(actor: User, row: ContractEvent, reason: str) -> ContractEvent:
    """The correction of a wrong entry: a cancelling entry that points to it; the entry itself stays."""
    _must_record(actor, row.contract)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("请填写撤销原因"), field="reason")
    if len(reason) > 1000:
        raise DomainError(_l("说明最多 %(n)d 个字", n=1000), field="reason")
    if row.kind == CANCEL:
        raise DomainError(_l("撤销记录不能再撤销"))
    if db.session.scalar(select(ContractEvent.id).where(ContractEvent.cancels_id == row.id)):
        raise AlreadyDecided(_l("该记录已经撤销过"))
    cancel = ContractEvent(contract_id=row.contract_id, kind=CANCEL, happened_on=today_local(), note=reason,
                           cancels_id=row.id, by_id=actor.id, at=now_utc())
    db.session.add(cancel)
    db.session.flush()
    audit.record(actor, "contract.event.cancel", cancel, after=_snapshot(cancel))
    return cancel


def _snapshot(row: ContractEvent) -> dict:
    return {"contract": row.contract_id, "kind": row.kind, "on": row.happened_on.isoformat(),
            "document_type": row.document_type, "note": row.note, "file": row.file_id, "cancels": row.cancels_id}


def events(contract: Contract) -> list[ContractEvent]:
    return list(db.session.scalars(select(ContractEvent).where(ContractEvent.contract_id == contract.id)
                                   .order_by(ContractEvent.id)))


@event.listens_for(Session, "before_flush")
def _append_only(session, flush_context, instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, ContractEvent):
            raise ContractEventsAreAppendOnly("contract events are never deleted; record a cancelling entry")
    for obj in session.dirty:
        if isinstance(obj, ContractEvent) and session.is_modified(obj, include_collections=False):
            raise ContractEventsAreAppendOnly("contract events are never edited; record a cancelling entry")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_edits(state) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None and \
            state.bind_mapper.class_ is ContractEvent:
        raise ContractEventsAreAppendOnly("contract events are never bulk-updated or deleted")


# ---- the sheet ------------------------------------------------------------------------------------

@dataclass
class Row:
    day: date
    kind: str
    reference: str
    description: str
    amount: Decimal | None = None  # what the row adds to its figure (None: nothing to count)
    counts: bool = True  # False: shown only (a cancelled order, a cancelled entry)
    event: ContractEvent | None = None
    file_id: int | None = None
    link: tuple[str, dict] | None = None  # (endpoint, values)
    seq: int = 0
    # running figures after this row
    ordered: Decimal = ZERO
    shipped: Decimal = ZERO
    invoiced: Decimal = ZERO
    collected: Decimal = ZERO
    to_order: Decimal = ZERO
    to_ship: Decimal = ZERO
    to_invoice: Decimal = ZERO
    to_collect: Decimal = ZERO

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class Sheet:
    contract: Contract
    rows: list[Row] = field(default_factory=list)
    amount: Decimal = ZERO
    ordered: Decimal = ZERO
    shipped: Decimal = ZERO
    invoiced: Decimal = ZERO
    collected: Decimal = ZERO
    accepted_on: date | None = None
    cancelled_ids: set[int] = field(default_factory=set)
    awaiting_confirmation: Decimal = ZERO  # allocated to the contract, not yet confirmed by finance

    @property
    def to_order(self) -> Decimal:
        return self.amount - self.ordered

    @property
    def to_ship(self) -> Decimal:
        return self.amount - self.shipped

    @property
    def to_invoice(self) -> Decimal:
        return self.amount - self.invoiced

    @property
    def to_collect(self) -> Decimal:
        return self.amount - self.collected


def _q(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def _order_rows(contract: Contract) -> tuple[list[Row], list[Order]]:
    orders = list(db.session.scalars(select(Order).where(Order.contract_id == contract.id)
                                     .options(selectinload(Order.lines)).order_by(Order.id)))
    rows = []
    for o in orders:
        items = "，".join(f"{ln.product.name} {ln.spec} × {ln.quantity}" for ln in o.lines)
        text = f"{items}；{_l('收货人')}：{o.consignee}"
        if o.payment is not None:
            text += f"；{_l('款到通知')} {o.payment.number}"
        if o.status == CANCELLED:
            text += f"（{_l('已取消')}）"
        rows.append(Row(o.requested_on, "order", o.number, text, _q(o.total), counts=o.status != CANCELLED,
                        link=("orders.detail", {"order_id": o.id})))
    return rows, orders


def _shipment_rows(order_ids: list[int]) -> list[Row]:
    rows = []
    ships = db.session.scalars(select(Shipment).where(Shipment.order_id.in_(order_ids), Shipment.status == CHECKED)
                               .options(selectinload(Shipment.lines)).order_by(Shipment.id)) if order_ids else []
    for s in ships:
        value = sum((_q(ln.order_line.unit_price * ln.quantity) for ln in s.lines), ZERO)
        items = "，".join(f"{ln.product.name} × {ln.quantity}" for ln in s.lines)
        text = f"{items}；{s.carrier} {_l('运单号')} {s.waybill}，{s.pieces} {_l('件')}"
        if s.return_id is not None:
            text = f"{_l('换货')}：{text}"
        if s.extras:
            text += f"；{_l('随货')}：{s.extras}"
        rows.append(Row(s.shipped_on or local(s.checked_at).date(), "shipment", s.number, text, value,
                        link=("orders.shipment_detail", {"shipment_id": s.id})))
    return rows


def _return_rows(orders: list[Order]) -> list[Row]:
    """Goods counted back into stock from returns linked to the contract's orders: they take their value
    (at the order line's price) off what was shipped; an exchange ships again as a shipment."""
    by_order = {o.id: o for o in orders}
    if not by_order:
        return []
    rows = []
    found = db.session.execute(
        select(ProductMovement, ReturnOrderLink.order_id).join(ReturnOrderLink,
                                                               ReturnOrderLink.return_id == ProductMovement.return_id)
        .where(ProductMovement.kind == M_RETURN, ReturnOrderLink.order_id.in_(by_order))
        .order_by(ProductMovement.id))
    for move, order_id in found:
        order = by_order[order_id]
        price = next((ln.unit_price for ln in order.lines if ln.product_id == move.product_id), ZERO)
        rows.append(Row(local(move.at).date(), "return", move.reference or order.number,
                        f"{move.product.name} × {move.quantity}；{_l('订单')} {order.number}",
                        -_q(price * move.quantity)))
    return rows


def _invoice_rows(order_ids: list[int]) -> list[Row]:
    invs = db.session.scalars(select(Invoice).where(Invoice.order_id.in_(order_ids), Invoice.status == CHECKED)
                              .order_by(Invoice.id)) if order_ids else []
    return [Row(local(i.checked_at).date(), "invoice", i.number,
                f"{_l('发票号码')} {i.invoice_no}；{i.content}", _q(i.amount),
                link=("orders.invoice_detail", {"invoice_id": i.id})) for i in invs]


def _payment_rows(contract: Contract) -> list[Row]:
    rows = []
    allocs = db.session.scalars(select(PaymentAllocation).where(
        PaymentAllocation.contract_ref == contract.id, PaymentAllocation.confirmed_by_id.is_not(None))
        .order_by(PaymentAllocation.id))
    for a in allocs:
        p = a.payment
        invoice = f"；{_l('发票')} {a.invoice.invoice_no}" if a.invoice is not None else ""
        if a.kind == ALLOCATION:
            payer = "，".join(part for part in (p.payer, p.bank) if part)
            rows.append(Row(p.received_on, "payment", p.number, f"{payer}{invoice}", _q(a.amount),
                            link=("receivables.payment_detail", {"incoming_id": p.id})))
        else:
            rows.append(Row(local(a.confirmed_at).date(), "reversal", p.number, f"{a.memo}{invoice}", _q(a.amount),
                            link=("receivables.payment_detail", {"incoming_id": p.id})))
    return rows


def _event_rows(contract: Contract) -> tuple[list[Row], set[int]]:
    rows, found = [], events(contract)
    cancelled = {e.cancels_id for e in found if e.kind == CANCEL}
    for e in found:
        if e.kind == DOCUMENT:
            text = str(DOCUMENT_LABELS[e.document_type]) + (f"：{e.note}" if e.note else "")
        elif e.kind == CANCEL:
            text = f"{_l('撤销')} {KIND_LABELS[e.cancels.kind]}（{e.cancels.happened_on:%Y-%m-%d}）：{e.note}"
        else:
            text = e.note
        text += f"（{e.by.name}）"
        rows.append(Row(e.happened_on, e.kind, "", text, None, counts=e.id not in cancelled and e.kind != CANCEL,
                        event=e, file_id=e.file_id))
    return rows, cancelled


def performance_sheet(user: User, contract: Contract) -> Sheet:
    """The sheet as the records have it now; refused to whoever may not see the contract."""
    if not contracts.can_see(user, contract):
        raise Forbidden(_l("无权查看该合同"))
    sheet = Sheet(contract=contract, amount=_q(contract.total_amount))
    rows: list[Row] = []
    if contract.signed_on is not None:
        rows.append(Row(contract.signed_on, "signed", contract.number,
                        f"{contracts.KIND_LABELS[contract.kind]}：{contract.customer.name}；"
                        f"{_l('付款条件')}：{contract.payment_terms or '—'}", sheet.amount, counts=False))
    order_rows, orders = _order_rows(contract)
    ids = [o.id for o in orders]
    event_rows, sheet.cancelled_ids = _event_rows(contract)
    rows += (order_rows + _shipment_rows(ids) + _return_rows([o for o in orders if o.status != CANCELLED])
             + _invoice_rows(ids) + _payment_rows(contract) + event_rows)
    for i, row in enumerate(rows):
        row.seq = i
    rows.sort(key=lambda r: (r.day, _KIND_ORDER[r.kind], r.seq))
    for row in rows:
        if row.counts and row.amount is not None:
            if row.kind == "order":
                sheet.ordered += row.amount
            elif row.kind in ("shipment", "return"):
                sheet.shipped += row.amount
            elif row.kind == "invoice":
                sheet.invoiced += row.amount
            elif row.kind in ("payment", "reversal"):
                sheet.collected += row.amount
        if row.kind == ACCEPTANCE and row.counts:
            sheet.accepted_on = row.day
        row.ordered, row.shipped, row.invoiced, row.collected = (sheet.ordered, sheet.shipped, sheet.invoiced,
                                                                 sheet.collected)
        row.to_order, row.to_ship, row.to_invoice, row.to_collect = (sheet.to_order, sheet.to_ship, sheet.to_invoice,
                                                                     sheet.to_collect)
    sheet.rows = rows
    sheet.awaiting_confirmation = _q(db.session.scalar(select(func.coalesce(func.sum(PaymentAllocation.amount), 0)).where(
        PaymentAllocation.contract_ref == contract.id, PaymentAllocation.kind == ALLOCATION,
        PaymentAllocation.confirmed_by_id.is_(None))) or 0)
    return sheet


# ---- Excel and the email to the customer --------------------------------------------------------

HEADERS = ["日期", "类型", "单号", "内容", "金额", "累计订货", "累计发货", "累计开票", "累计回款", "未发货", "未开票",
           "未回款"]


def workbook_rows(sheet: Sheet) -> list[tuple]:
    return [(r.day, r.kind_label, r.reference, r.description, r.amount if r.counts or r.kind == "signed" else None,
             r.ordered, r.shipped, r.invoiced, r.collected, r.to_ship, r.to_invoice, r.to_collect)
            for r in sheet.rows]


def company_name() -> str:
    """The letterhead of printed sheets and letters: the company setting (管理 → 规则设置)."""
    return settings.get("company_name") or str(_l("销售内勤系统"))


def contact_email(contract: Contract) -> str:
    for contact in contract.customer.contacts:
        if contact.email:
            return contact.email
    return ""


def sent(contract: Contract, limit: int = 10) -> list[Email]:
    """The sheet's emails to the customer, newest first (their outbox rows: pending, sent or failed)."""
    return list(db.session.scalars(select(Email).where(Email.key.startswith(f"contract-performance:{contract.id}:"))
                                   .order_by(Email.id.desc()).limit(limit)))


def send_to_customer(actor: User, contract: Contract, to_addr: str) -> Email:
    """The sheet as it stands, by email to the address typed (queued in the outbox, sent by the mail job)."""
    _must_record(actor, contract)
    to_addr = (to_addr or "").strip()
    if not to_addr or "@" not in to_addr or len(to_addr) > 120 or any(c.isspace() for c in to_addr):
        raise DomainError(_l("请填写客户联系人的电子邮箱"), field="to_addr")
    with notify.company_language():  # written for the customer: the company's language, whoever sends it
        sheet = performance_sheet(actor, contract)
        subject = str(_l("合同履行一览表：%(number)s", number=contract.number))
        ctx = {"sheet": sheet, "company": company_name(), "today": today_local()}
        body = render_template("contracts/performance_email.txt", **ctx)
        html = render_template("contracts/performance_email.html", **ctx)
    stamp = now_utc().strftime("%Y%m%d%H%M%S%f")
    row = notify.email(f"contract-performance:{contract.id}:{stamp}:{to_addr}", to_addr, subject, body)
    if row is None:
        raise AlreadyDecided(_l("刚刚已经发送过，请稍后再试"))
    row.html_body = html
    db.session.flush()
    audit.record(actor, "contract.performance.sent", contract, after={"to": to_addr, "email": row.id,
                                                                      "rows": len(sheet.rows)})
    return row
