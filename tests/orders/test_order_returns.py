"""Returns against real orders: linked to the order, never more than shipped, counted back into
stock; a quality return of one line ends in an exchange shipment through the same double review;
stock = receipts − checked shipments + received returns."""

from decimal import Decimal

import pytest
from order_helpers import paid, product, receive, requested
from sqlalchemy import select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models.orders import ProductStock, Shipment
from intranet.services import approvals, order_returns, orders, shipments, stock
from intranet.services import returns as ret_svc
from intranet.services.errors import DomainError, Forbidden

COMPLAINT = {"batch": "B-01", "defect": "渗漏", "customer_demand": "换货", "proposed_handling": "同意退回检测"}
SHIP = {"carrier": "德邦物流", "method": "logistics", "waybill": "DP1", "pieces": "1"}


def _shipped_order(users):
    receive(users, "SOFT-2", 5)
    order = requested(users, qty=2)
    orders.enter(users["assistant"], order, paid(users, order))
    ship = shipments.prepare(users["assistant"], order, {order.lines[0].id: "2"}, SHIP)
    shipments.check(users["manager"], ship)
    db.session.commit()
    return order


def _return(users, order, qty):
    p = product("SOFT-2")
    doc = ret_svc.create(users["rep3"], {"customer_name": order.customer.name, "order_ref": order.number,
                                         "reason": "quality", "reason_detail": "漏水", "cost_split": "运费我司承担",
                                         "justification": ""}, [ret_svc.LineInput(p.id, qty, Decimal("9600.00"))])
    ret_svc.save_complaint(users["assistant"], doc, {"product_id": p.id, **COMPLAINT})
    db.session.commit()
    return doc


def _signed_and_back(users, doc):
    ret_svc.submit(users["rep3"], doc)
    req = ret_svc.approval_request(doc)
    while req.status == "pending":
        approvals.decide(approvals.step_deciders(req, req.step)[0], req.id, "approve", "同意")
    ret_svc.notify_customer(users["assistant"], doc, "电话通知客户")
    ret_svc.record_shipment(users["assistant"], doc, "顺丰速运", "SF123", today_local())
    db.session.commit()


def _stock():
    return db.session.scalar(select(ProductStock).where(ProductStock.product_id == product("SOFT-2").id))


def test_a_return_cannot_exceed_what_was_shipped(app, users):
    order = _shipped_order(users)
    with pytest.raises(DomainError, match="超过该订单已发货未退"):
        order_returns.link(users["assistant"], _return(users, order, 3), order)


def test_a_quality_return_ends_in_an_exchange_shipment(app, users):
    order = _shipped_order(users)
    doc = _return(users, order, 1)
    order_returns.link(users["assistant"], doc, order)
    _signed_and_back(users, doc)
    with pytest.raises(DomainError, match="入库后"):
        order_returns.exchange(users["assistant"], doc, {order.lines[0].id: "1"}, SHIP)
    ret_svc.record_receipt(users["assistant"], doc, {doc.lines[0].id: 1}, today_local(), "")
    db.session.commit()
    assert (_stock().on_hand, order.lines[0].returned_qty) == (4, 1)
    with pytest.raises(DomainError):
        order_returns.exchange(users["assistant"], doc, {order.lines[0].id: "2"}, SHIP)  # only 1 came back
    db.session.rollback()
    replacement = order_returns.exchange(users["assistant"], doc, {order.lines[0].id: "1"}, {**SHIP, "waybill": "HH1"})
    db.session.commit()
    assert replacement.return_id == doc.id and _stock().reserved == 1
    with pytest.raises(Forbidden):
        shipments.check(users["assistant"], replacement)
    db.session.rollback()
    shipments.check(users["manager"], replacement)
    db.session.commit()
    assert (_stock().on_hand, _stock().reserved, order.lines[0].shipped_qty) == (3, 0, 2)
    totals = stock.totals(product("SOFT-2").id)
    assert _stock().on_hand == totals["receipt"] + totals["shipment"] + totals["return"] == 5 - 3 + 1


def test_a_return_is_linked_and_exchanged_through_the_web(app, users, login):
    order = _shipped_order(users)
    doc = _return(users, order, 1)
    rep = login("rep3")
    page = rep.get(f"/orders/returns/{doc.id}")
    assert page.status_code == 200 and order.number in page.text and 'id="link-form"' in page.text
    assert rep.post(f"/orders/returns/{doc.id}/link", data={"order_id": order.id}).status_code == 303
    assert order_returns.link_of(doc).order_id == order.id
    _signed_and_back(users, doc)
    ret_svc.record_receipt(users["assistant"], doc, {doc.lines[0].id: 1}, today_local(), "")
    db.session.commit()
    desk = login("assistant")
    assert 'id="exchange-form"' in desk.get(f"/orders/returns/{doc.id}").text
    form = {"carrier": "德邦物流", "method": "logistics", "waybill": "HH2", "pieces": "1"}
    too_many = desk.post(f"/orders/returns/{doc.id}/exchange", data={**form, f"line_{order.lines[0].id}": "2"},
                         follow_redirects=True)
    assert "最多 1" in too_many.text
    done = desk.post(f"/orders/returns/{doc.id}/exchange", data={**form, f"line_{order.lines[0].id}": "1"})
    assert done.status_code == 303
    ship = db.session.scalar(select(Shipment).where(Shipment.return_id == doc.id))
    assert ship.waybill == "HH2" and ship.status == "to_check" and ship.prepared_by_id == users["assistant"].id
    assert 'id="exchange-form"' not in desk.get(f"/orders/returns/{doc.id}").text  # nothing left to exchange
