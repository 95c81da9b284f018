"""Returns against real orders (SPEC 2.6 with 2.9): a return request is linked to the order it
returns goods of; its lines must be products shipped on that order, never more than shipped and not
yet returned; what the warehouse counts back goes into stock (a return movement, row-locked like
every stock writer); and a return can end in an exchange (换货): a replacement shipment through
the same double review as any shipment, at most what came back."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import User
from ..models.orders import CHECKED, M_RETURN, TO_CHECK, Order, ReturnOrderLink, Shipment, ShipmentLine
from ..models.returns import ReturnRequest
from . import audit, shipments, stock
from .errors import AlreadyDecided, DomainError, Forbidden
from .orders import DESK


def link_of(ret: ReturnRequest) -> ReturnOrderLink | None:
    return db.session.scalar(select(ReturnOrderLink).where(ReturnOrderLink.return_id == ret.id))


def _returnable(order: Order) -> dict[int, int]:
    """{product id: shipped − already returned} on the order."""
    out: dict[int, int] = {}
    for ln in order.lines:
        out[ln.product_id] = out.get(ln.product_id, 0) + ln.shipped_qty - ln.returned_qty
    return out


def link(actor: User, ret: ReturnRequest, order: Order) -> ReturnOrderLink:
    if actor.role not in DESK and actor.id != ret.rep_id:
        raise Forbidden(_l("您不能关联该退货"))
    if link_of(ret) is not None:
        raise AlreadyDecided(_l("该退货已关联订单"))
    if ret.customer_id is not None and ret.customer_id != order.customer_id:
        raise DomainError(_l("退货客户与订单客户不一致"), field="order_id")
    left = _returnable(order)
    for ln in ret.lines:
        if ln.quantity > left.get(ln.product_id, 0):
            raise DomainError(_l("%(name)s 退货 %(n)d，超过该订单已发货未退的 %(left)d", name=ln.product.name,
                                 n=ln.quantity, left=left.get(ln.product_id, 0)), field="order_id")
    row = ReturnOrderLink(return_id=ret.id, order_id=order.id, linked_by_id=actor.id)
    row.order = order
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "return.link", row, after={"return": ret.id, "order": order.number})
    return row


def on_received(actor: User, ret: ReturnRequest) -> None:
    """Called when the warehouse counted the goods back: into stock, against the order's lines."""
    row = link_of(ret)
    if row is None:
        return
    audit.lock()
    order = db.session.scalar(select(Order).where(Order.id == row.order_id).with_for_update()
                              .execution_options(populate_existing=True))
    left = _returnable(order)
    for ln in ret.lines:
        if (ln.received_qty or 0) > left.get(ln.product_id, 0):
            raise DomainError(_l("%(name)s 实收 %(n)d，超过该订单已发货未退的 %(left)d", name=ln.product.name,
                                 n=ln.received_qty, left=left.get(ln.product_id, 0)), field=f"line_{ln.id}")
    stocks = stock.lock(ln.product_id for ln in ret.lines if ln.received_qty)
    for ln in ret.lines:
        qty = ln.received_qty or 0
        if not qty:
            continue
        stock.move(actor, stocks[ln.product_id], M_RETURN, qty, reference=ret.number or "", return_id=ret.id)
        for oln in order.lines:  # credit the order lines of that product, first shipped first
            take = min(qty, oln.shipped_qty - oln.returned_qty) if oln.product_id == ln.product_id else 0
            oln.returned_qty += take
            qty -= take
    db.session.flush()


def exchanged(ret: ReturnRequest) -> dict[int, int]:
    """{order line id: quantity on replacement shipments not voided}."""
    rows = db.session.execute(select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity)).join(Shipment)
                              .where(Shipment.return_id == ret.id, Shipment.status.in_((TO_CHECK, CHECKED)))
                              .group_by(ShipmentLine.order_line_id))
    return dict(rows.all())


def exchange(actor: User, ret: ReturnRequest, raw: dict, fields: dict) -> Shipment:
    """换货: the replacement ships through the shipment's double review, at most what came back."""
    row = link_of(ret)
    if row is None:
        raise DomainError(_l("请先把退货关联到原订单"))
    if ret.received_at is None:
        raise DomainError(_l("退货入库后才能换货"))
    return shipments.prepare(actor, row.order, raw, fields, return_id=ret.id, limits=exchange_limits(ret))


def candidates(ret: ReturnRequest) -> list[Order]:
    """Orders the return may be picked from: the customer's orders with something shipped, or the
    order whose number was typed as the reference."""
    from ..models.orders import OrderLine

    shipped = select(OrderLine.order_id).where(OrderLine.shipped_qty > 0)
    cond = Order.number == (ret.order_ref or "").strip()
    if ret.customer_id is not None:
        cond = cond | (Order.customer_id == ret.customer_id)
    return list(db.session.scalars(select(Order).where(cond, Order.id.in_(shipped)).order_by(Order.id.desc())
                                   .limit(100)))


def exchange_limits(ret: ReturnRequest) -> dict[int, int]:
    row = link_of(ret)
    if row is None or ret.received_at is None:
        return {}
    received = {ln.product_id: ln.received_qty or 0 for ln in ret.lines}
    done = exchanged(ret)
    return {oln.id: max(0, min(oln.returned_qty, received.get(oln.product_id, 0)) - done.get(oln.id, 0))
            for oln in row.order.lines}
