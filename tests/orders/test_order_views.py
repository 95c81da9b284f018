"""Web flows: an order beyond stock through the form registers the shortage; entry refused before
finance confirms the payment, then entered; the preparer's own shipment has no check button and a
check by them is refused; an invoice with another price is refused at the check."""

from decimal import Decimal

from order_helpers import customer_of, paid, product, receive, requested
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import Order
from intranet.models.orders import Invoice, OrderShortage, Shipment


def _form(users, qty, **extra):
    c = customer_of(users)
    p = product("SOFT-2")
    return {"customer_id": c.id, "delivery_method": "logistics", "consignee": "黄志明", "phone": "020-3456 7890",
            "address": "广州市天河区", "lines-0-product_id": p.id, "lines-0-quantity": str(qty),
            "lines-0-unit_price": f"{p.list_price:.2f}", **extra}


def test_an_order_beyond_stock_through_the_web(app, users, login):
    receive(users, "SOFT-2", 3)
    rep = login("rep3")
    page = rep.post("/orders/new", data=_form(users, 5))
    assert page.status_code == 200 and "缺 2" in page.text and "承诺" in page.text
    before = db.session.scalar(select(Order.id).order_by(Order.id.desc()).limit(1))
    done = rep.post("/orders/new", data=_form(users, 5, promised_on="2026-12-01"))
    assert done.status_code == 303 and done.headers["Location"].endswith("/orders/shortages")
    assert db.session.scalar(select(OrderShortage).where(OrderShortage.shortfall == 2)) is not None
    assert db.session.scalar(select(Order.id).order_by(Order.id.desc()).limit(1)) == before  # no empty order
    ok = rep.post("/orders/new", data=_form(users, 2))
    assert ok.status_code == 303
    check = rep.get("/orders/stock-check", query_string={"lines-0-product_id": product("SOFT-2").id,
                                                          "lines-0-quantity": "9"})
    assert "缺 6" in check.text and "<html" not in check.text


def test_payment_first_through_the_web(app, users, login):
    receive(users, "SOFT-2", 5)
    order = requested(users)
    desk = login("assistant")
    refused = desk.post(f"/orders/{order.id}/enter", data={}, follow_redirects=True)
    assert "款未到不得在系统中制单" in refused.text
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "requested"
    note = paid(users, order)
    entered = desk.post(f"/orders/{order.id}/enter", data={"payment_id": note.id}, follow_redirects=True)
    assert "已制单" in entered.text
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "entered"
    tabs = desk.get("/orders/desk?tab=ship", headers={"HX-Request": "true"})
    assert order.number in tabs.text and "<html" not in tabs.text and 'id="desk-tabs"' in tabs.text


def test_four_eyes_and_the_invoice_check_through_the_web(app, users, login):
    receive(users, "SOFT-2", 5)
    order = requested(users)
    note = paid(users, order)
    desk, manager = login("assistant"), login("manager")
    desk.post(f"/orders/{order.id}/enter", data={"payment_id": note.id})
    db.session.expire_all()
    ln = db.session.get(Order, order.id).lines[0]
    made = desk.post(f"/orders/{order.id}/ship", data={f"line_{ln.id}": "2", "carrier": "德邦物流",
                                                       "method": "logistics", "waybill": "DP9", "pieces": "2"})
    assert made.status_code == 303
    ship = db.session.scalar(select(Shipment).where(Shipment.order_id == order.id))
    assert 'id="check-shipment"' not in desk.get(f"/orders/shipments/{ship.id}").text
    own = desk.post(f"/orders/shipments/{ship.id}/check", follow_redirects=True)
    assert "双人复核" in own.text
    manager.post(f"/orders/shipments/{ship.id}/check")
    db.session.expire_all()
    assert db.session.get(Shipment, ship.id).status == "checked"
    inv_form = {f"qty_{ln.id}": "2", f"price_{ln.id}": f"{ln.unit_price - Decimal('100'):.2f}", "invoice_no": "0440009",
                "content": "软水器", "recipient": "财务部", "mail_method": "courier"}
    assert desk.post(f"/orders/{order.id}/invoice", data=inv_form).status_code == 303
    inv = db.session.scalar(select(Invoice).where(Invoice.order_id == order.id))
    refused = manager.post(f"/orders/invoices/{inv.id}/check", follow_redirects=True)
    assert "与订单不符" in refused.text
    db.session.expire_all()
    assert db.session.get(Invoice, inv.id).status == "to_check"


def test_a_rep_sees_only_their_own_customers_orders(app, users, login):
    receive(users, "SOFT-2", 5)
    order = requested(users)
    assert login("rep1").get(f"/orders/{order.id}").status_code == 404
    assert login("supervisor1").get(f"/orders/{order.id}").status_code == 404
    assert login("supervisor2").get(f"/orders/{order.id}").status_code == 200
    assert order.number not in login("rep1").get("/orders/").text
