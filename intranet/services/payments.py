"""Payment first (款到发货, SPEC 2.9): the assistant registers the customer's payment notice; finance
confirms that the money arrived and is booked (or refuses it). Only a confirmed payment lets an
order be entered. Finance never confirms a notice it registered itself (four eyes)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..clock import now_utc, today_local
from ..extensions import db
from ..models import Customer, User
from ..models.orders import CANCELLED, CONFIRMED, PAY_TYPES, REFUSED, REGISTERED, Order, PaymentNotice
from . import audit, notify, numbering, stored_files
from .errors import AlreadyDecided, DomainError, Forbidden
from .samples import InputErrors

REGISTRARS = ("assistant", "manager")
CONFIRMERS = ("finance",)
PAY_TYPE_LABELS = {"transfer": _l("银行转账"), "draft": _l("承兑汇票"), "cash": _l("现金"), "other": _l("其他")}
STATUS_LABELS = {REGISTERED: _l("待财务确认"), CONFIRMED: _l("已到账"), REFUSED: _l("未到账")}
SLIP_TYPES = {".jpg", ".jpeg", ".png", ".pdf"}
MAX_SLIP = 10 * 1024 * 1024


def _number(prefix: str, model) -> str:
    return numbering.monthly(prefix, model)


def slip_dir() -> Path:
    folder = Path(current_app.config["INSTANCE_DIR"]) / "payment_slips"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def register(actor: User, fields: dict, slip: tuple[str, bytes] | None = None) -> PaymentNotice:
    """fields: customer (Customer|None), pay_type, bank, amount (Decimal|None), paid_on (date|None)."""
    if actor.role not in REGISTRARS:
        raise Forbidden(_l("款到通知由销售内勤登记"))
    errors = {}
    customer: Customer | None = fields.get("customer")
    if customer is None:
        errors["customer_id"] = _l("请选择客户")
    if fields.get("pay_type") not in PAY_TYPES:
        errors["pay_type"] = _l("请选择付款方式")
    bank = (fields.get("bank") or "").strip()
    if len(bank) > 120:
        errors["bank"] = _l("银行最多 120 个字")
    amount = fields.get("amount")
    if not isinstance(amount, Decimal) or amount <= 0:
        errors["amount"] = _l("请填写金额")
    paid_on = fields.get("paid_on")
    if not isinstance(paid_on, date):
        errors["paid_on"] = _l("请填写付款日期")
    elif paid_on > today_local():
        errors["paid_on"] = _l("付款日期不能晚于今天")
    slip_name = ""
    if slip is not None:
        name, data = slip
        suffix = Path(name or "").suffix.lower()
        if suffix not in SLIP_TYPES:
            errors["slip"] = _l("凭证请上传 JPG、PNG 或 PDF 文件")
        elif len(data) > MAX_SLIP:
            errors["slip"] = _l("凭证文件不能超过 10 MB")
        else:
            slip_name = f"{uuid4().hex}{suffix}"
    if errors:
        raise InputErrors(errors)
    note = PaymentNotice(number=_number("SK", PaymentNotice), customer_id=customer.id, rep_id=customer.owner_id,
                         region=customer.region.name if customer.region else "", pay_type=fields["pay_type"],
                         bank=bank, amount=amount, paid_on=paid_on, slip_name=slip_name,
                         registered_by_id=actor.id, registered_at=now_utc(), status=REGISTERED)
    note.customer = customer
    db.session.add(note)
    db.session.flush()
    if slip_name:
        stored_files.write(db.session, slip_dir() / slip_name, slip[1])
    audit.record(actor, "payment.register", note, after=_snapshot(note))
    for user in db.session.scalars(select(User).where(User.role.in_(CONFIRMERS), User.active)):
        notify.todo(f"payment:{note.id}:confirm:u{user.id}", user,
                    str(_l("待确认到账：%(number)s %(customer)s", number=note.number, customer=customer.name)),
                    _url(note))
    return note


def _snapshot(note: PaymentNotice) -> dict:
    return {"number": note.number, "customer": note.customer_id, "amount": note.amount, "paid_on": note.paid_on,
            "status": note.status, "pay_type": note.pay_type}


def _url(note: PaymentNotice) -> str:
    try:
        return url_for("orders.payment_detail", payment_id=note.id)
    except RuntimeError:
        return f"/orders/payments/{note.id}"


def _locked(note: PaymentNotice) -> PaymentNotice:
    return db.session.scalar(select(PaymentNotice).where(PaymentNotice.id == note.id).with_for_update()
                             .execution_options(populate_existing=True))


def decide(actor: User, note: PaymentNotice, arrived: bool, comment: str = "") -> PaymentNotice:
    """Finance: the money arrived and is booked (到账入账), or it did not arrive."""
    if actor.role not in CONFIRMERS:
        raise Forbidden(_l("到账由财务确认"))
    audit.lock()
    note = _locked(note)
    if note.status != REGISTERED:
        raise AlreadyDecided(_l("%(number)s 已经%(status)s", number=note.number, status=STATUS_LABELS[note.status]))
    if note.registered_by_id == actor.id:
        raise Forbidden(_l("双人复核：登记人不能确认自己登记的款项"))
    comment = (comment or "").strip()[:200]
    if not arrived and not comment:
        raise DomainError(_l("请填写未到账的说明"), field="comment")
    note.status = CONFIRMED if arrived else REFUSED
    note.confirmed_by_id, note.confirmed_at, note.confirmed_on = actor.id, now_utc(), today_local()
    note.note = comment
    notify.close_todos([f"payment:{note.id}:confirm:"])
    db.session.flush()
    audit.record(actor, "payment.confirm" if arrived else "payment.refuse", note, before={"status": REGISTERED},
                 after=_snapshot(note))
    return note


def used(note: PaymentNotice, except_order_id: int | None = None) -> Decimal:
    stmt = select(func.coalesce(func.sum(Order.total), 0)).where(Order.payment_id == note.id,
                                                                Order.status != CANCELLED)
    if except_order_id:
        stmt = stmt.where(Order.id != except_order_id)
    return Decimal(db.session.scalar(stmt) or 0).quantize(Decimal("0.01"))


def open_amount(note: PaymentNotice, except_order_id: int | None = None) -> Decimal:
    return note.amount - used(note, except_order_id)


def usable_for(order: Order) -> list[PaymentNotice]:
    """The customer's confirmed payments with enough left to cover the order."""
    notes = db.session.scalars(select(PaymentNotice).where(PaymentNotice.customer_id == order.customer_id,
                                                           PaymentNotice.status == CONFIRMED)
                               .order_by(PaymentNotice.paid_on))
    return [n for n in notes if open_amount(n, order.id) >= order.total]


def waiting() -> list[PaymentNotice]:
    return list(db.session.scalars(select(PaymentNotice).where(PaymentNotice.status == REGISTERED)
                                   .order_by(PaymentNotice.id)))
