"""Shipments (发货, SPEC 2.9), double review: picked from an entered order (possibly in part),
prepared by one person, checked by another (双人复核) — only then does stock move. The next day
the customer is told carrier, waybill, pieces and tracking phone (reminded on the desk, sent by
email from a template, recorded). A return's exchange (换货) ships through the same review."""

from __future__ import annotations

from datetime import date, timedelta

from flask import render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..clock import now_utc, today_local
from ..extensions import db
from ..models import User
from ..models.orders import (
    CHECKED,
    DELIVERY_METHODS,
    M_SHIPMENT,
    PARTLY_SHIPPED,
    SHIPPABLE,
    SHIPPED,
    TO_CHECK,
    VOID,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
)
from . import audit, double_review, notify, stock
from .errors import AlreadyDecided, DomainError, Forbidden
from .orders import DESK, _number, _set_status
from .samples import InputErrors, parse_quantity
from .text_rules import whole_number

CHECKERS = ("assistant", "manager", "director")
STATUS_LABELS = {TO_CHECK: _l("待复核"), CHECKED: _l("已复核发出"), VOID: _l("已作废")}


def pending_qty(line_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(ShipmentLine.quantity), 0)).join(Shipment).where(
        Shipment.status == TO_CHECK, Shipment.return_id.is_(None), ShipmentLine.order_line_id == line_id)) or 0


def remaining(line: OrderLine) -> int:
    return line.quantity - line.shipped_qty - pending_qty(line.id)


def _fields(fields: dict) -> tuple[dict, dict]:
    errors, values = {}, {}
    for name, limit, label, required in (("carrier", 60, _l("承运公司"), True), ("waybill", 40, _l("运单号"), True),
                                         ("tracking_phone", 40, _l("查询电话"), False),
                                         ("extras", 200, _l("随货物品"), False)):
        value = (fields.get(name) or "").strip()
        if required and not value:
            errors[name] = _l("请填写%(label)s", label=label)
        elif len(value) > limit:
            errors[name] = _l("%(label)s最多 %(n)d 个字", label=label, n=limit)
        values[name] = value
    if fields.get("method") not in DELIVERY_METHODS:
        errors["method"] = _l("请选择发货方式")
    values["method"] = fields.get("method")
    pieces = whole_number(str(fields.get("pieces") or "").strip())
    if pieces is None or pieces <= 0 or pieces > 100000:
        errors["pieces"] = _l("件数必须是正整数")
    values["pieces"] = pieces
    promised = fields.get("promised_on")
    if promised is not None and promised < today_local():
        errors["promised_on"] = _l("预计到货日期不能早于今天")
    values["promised_on"] = promised
    return values, errors


def prepare(actor: User, order: Order, raw: dict, fields: dict, return_id: int | None = None,
            limits: dict[int, int] | None = None) -> Shipment:
    """发货单: quantities per order line (line_<id>); an exchange (return_id) reserves stock now."""
    if actor.role not in DESK:
        raise Forbidden(_l("发货由销售内勤办理"))
    audit.lock()
    order = db.session.scalar(select(Order).where(Order.id == order.id).with_for_update()
                              .execution_options(populate_existing=True))
    if return_id is None and order.status not in SHIPPABLE:
        raise AlreadyDecided(_l("%(number)s 不在可发货状态", number=order.number))
    values, errors = _fields(fields)
    wanted = {}
    for ln in order.lines:
        try:
            qty = parse_quantity(raw.get(ln.id), allow_zero=True)
        except DomainError as exc:
            errors[f"line_{ln.id}"] = exc.message
            continue
        limit = limits.get(ln.id, 0) if limits is not None else remaining(ln)
        if qty > limit:
            errors[f"line_{ln.id}"] = _l("最多 %(n)d %(unit)s", n=limit, unit=ln.product.unit)
        elif qty:
            wanted[ln.id] = qty
    if not wanted and not any(k.startswith("line_") for k in errors):
        errors["lines"] = _l("请至少填写一行发货数量")
    if errors:
        raise InputErrors(errors)
    lines = {ln.id: ln for ln in order.lines}
    if return_id is not None:  # the replacement is not covered by the order's reservation
        stocks = stock.lock(lines[i].product_id for i in wanted)
        short = {f"line_{i}": _l("库存不足：%(name)s 可用 %(have)d", name=lines[i].product.name,
                                 have=stocks[lines[i].product_id].available)
                 for i, q in wanted.items() if q > stocks[lines[i].product_id].available}
        if short:
            raise InputErrors(short)
        for i, q in wanted.items():
            stocks[lines[i].product_id].reserved += q
    ship = Shipment(number=_number("FH", Shipment), order_id=order.id, return_id=return_id, status=TO_CHECK,
                    prepared_by_id=actor.id, prepared_at=now_utc(), **values)
    ship.order, ship.prepared_by = order, actor
    for line_id, qty in wanted.items():
        ship.lines.append(ShipmentLine(order_line_id=line_id, product_id=lines[line_id].product_id, quantity=qty))
    db.session.add(ship)
    db.session.flush()
    audit.record(actor, "shipment.prepare", ship, after=_snapshot(ship))
    for user in db.session.scalars(select(User).where(User.role.in_(CHECKERS), User.active, User.id != actor.id)):
        notify.todo(f"shipment-check:{ship.id}:u{user.id}", user,
                    str(_l("待复核发货：%(number)s %(customer)s", number=ship.number, customer=order.customer.name)),
                    shipment_url(ship))
    return ship


def _snapshot(ship: Shipment) -> dict:
    return {"number": ship.number, "order": ship.order_id, "status": ship.status, "waybill": ship.waybill,
            "carrier": ship.carrier, "pieces": ship.pieces, "return": ship.return_id,
            "lines": [[ln.order_line_id, ln.quantity] for ln in ship.lines], "prepared_by": ship.prepared_by_id,
            "checked_by": ship.checked_by_id}


def shipment_url(ship: Shipment) -> str:
    try:
        return url_for("orders.shipment_detail", shipment_id=ship.id)
    except RuntimeError:
        return f"/orders/shipments/{ship.id}"


def _lock(ship: Shipment) -> Shipment:
    return double_review.lock(Shipment, ship)


def can_check(user: User, ship: Shipment) -> bool:
    return double_review.can_check(user, ship, CHECKERS)


def check(actor: User, ship: Shipment) -> Shipment:
    """复核: a second person confirms the goods, waybill and pieces; stock leaves the warehouse."""
    ship = double_review.begin_check(actor, Shipment, ship, CHECKERS, STATUS_LABELS,
                                     _l("双人复核：经办人不能复核自己经办的发货单，请另一位同事复核"))
    order = db.session.scalar(select(Order).where(Order.id == ship.order_id).with_for_update()
                              .execution_options(populate_existing=True))
    stocks = stock.lock(ln.product_id for ln in ship.lines)
    for ln in ship.lines:
        row = stocks[ln.product_id]
        row.reserved -= ln.quantity
        stock.move(actor, row, M_SHIPMENT, -ln.quantity, reference=ship.number, shipment_id=ship.id)
        if ship.return_id is None:
            ln.order_line.shipped_qty += ln.quantity
    today = today_local()
    ship.status, ship.checked_by_id, ship.checked_at = CHECKED, actor.id, now_utc()
    ship.shipped_on, ship.notice_due_on = today, today + timedelta(days=1)
    if ship.return_id is None:
        done = all(ln.shipped_qty == ln.quantity for ln in order.lines)
        _set_status(actor, order, SHIPPED if done else PARTLY_SHIPPED)
    notify.close_todos([f"shipment-check:{ship.id}:"])
    for user in db.session.scalars(select(User).where(User.role == "assistant", User.active)):
        notify.todo(f"shipment-notice:{ship.id}:u{user.id}", user,
                    str(_l("%(day)s 请通知客户发货信息：%(number)s %(customer)s", day=ship.notice_due_on.isoformat(),
                           number=ship.number, customer=order.customer.name)), shipment_url(ship))
    db.session.flush()
    audit.record(actor, "shipment.check", ship, before={"status": TO_CHECK}, after=_snapshot(ship))
    return ship


def void(actor: User, ship: Shipment, reason: str) -> Shipment:
    """The preparer withdraws it or the checker sends it back: nothing moved."""
    ship, reason = double_review.begin_void(actor, Shipment, ship, CHECKERS, STATUS_LABELS, reason,
                                            _l("只有经办人或复核人可以作废该发货单"))
    if ship.return_id is not None:
        stocks = stock.lock(ln.product_id for ln in ship.lines)
        for ln in ship.lines:
            stocks[ln.product_id].reserved -= ln.quantity
    ship.status = VOID
    ship.extras = (ship.extras + " / " if ship.extras else "") + str(_l("作废：%(r)s", r=reason))[:100]
    notify.close_todos([f"shipment-check:{ship.id}:"])
    db.session.flush()
    audit.record(actor, "shipment.void", ship, before={"status": TO_CHECK}, after=_snapshot(ship))
    return ship


# ---- the customer notice (发货通知) -----------------------------------------------------------

def contact_email(ship: Shipment) -> str:
    for contact in ship.order.customer.contacts:
        if contact.email:
            return contact.email
    return ""


def notice_text(ship: Shipment) -> tuple[str, str]:
    subject = str(_l("发货通知：%(number)s", number=ship.order.number))
    return subject, render_template("orders/email/shipment_notice.txt", ship=ship)


def notify_customer(actor: User, ship: Shipment, to_addr: str) -> Shipment:
    """Email the customer contact carrier, waybill, pieces and tracking phone; recorded once."""
    if actor.role not in DESK:
        raise Forbidden(_l("发货通知由销售内勤发送"))
    ship = _lock(ship)
    if ship.status != CHECKED:
        raise AlreadyDecided(_l("发货单复核后才能通知客户"))
    if ship.notified_at is not None:
        raise AlreadyDecided(_l("已于 %(at)s 通知客户", at=ship.notified_at.date().isoformat()))
    to_addr = (to_addr or "").strip()
    if not to_addr or "@" not in to_addr or len(to_addr) > 120 or any(c.isspace() for c in to_addr):
        raise DomainError(_l("请填写客户联系人的电子邮箱"), field="to_addr")
    subject, body = notice_text(ship)
    notify.email(f"shipment-notice:{ship.id}", to_addr, subject, body)
    ship.notified_at, ship.notified_by_id, ship.notified_to = now_utc(), actor.id, to_addr
    notify.close_todos([f"shipment-notice:{ship.id}:"])
    db.session.flush()
    audit.record(actor, "shipment.notice", ship, after={"to": to_addr})
    return ship


def awaiting_notice():
    return (select(Shipment).where(Shipment.status == CHECKED, Shipment.notified_at.is_(None))
            .options(selectinload(Shipment.order)).order_by(Shipment.notice_due_on, Shipment.id))


def overdue_notices(day: date | None = None) -> list[Shipment]:
    day = day or today_local()
    return list(db.session.scalars(awaiting_notice().where(Shipment.notice_due_on <= day)))


def to_check(user: User) -> list[Shipment]:
    if user.role not in CHECKERS:
        return []
    return list(db.session.scalars(select(Shipment).where(Shipment.status == TO_CHECK,
                                                          Shipment.prepared_by_id != user.id)
                                   .options(selectinload(Shipment.order).selectinload(Order.customer))
                                   .order_by(Shipment.id)))


