"""Helpers for the order tests, through the real services."""

from decimal import Decimal

from sqlalchemy import select

from intranet.extensions import db
from intranet.models import Customer, Product
from intranet.services import orders, payments, stock


def product(code):
    return db.session.scalar(select(Product).where(Product.code == code))


def customer_of(users, rep="rep3"):
    return db.session.scalar(select(Customer).where(Customer.owner_id == users[rep].id).order_by(Customer.id))


def fields(customer, **extra):
    return {"customer": customer, "delivery_method": "logistics", "consignee": "黄志明", "phone": "020-3456 7890",
            "address": "广州市天河区黄埔大道 100 号", **extra}


def line(code, qty, price=None, row=0):
    p = product(code)
    return orders.LineInput(p.id, str(qty), p.list_price if price is None else Decimal(price), row=row)


def receive(users, code, qty):
    stock.receive(users["assistant"], product(code), str(qty))
    db.session.commit()


def requested(users, code="SOFT-2", qty=2, rep="rep3", price=None):
    outcome = orders.request(users[rep], fields(customer_of(users, rep)), [line(code, qty, price)])
    db.session.commit()
    return outcome.order


def paid(users, order):
    note = payments.register(users["assistant"], {"customer": order.customer, "pay_type": "transfer", "bank": "工行",
                                                  "amount": order.total, "paid_on": order.requested_on})
    payments.decide(users["finance"], note, True)
    db.session.commit()
    return note
