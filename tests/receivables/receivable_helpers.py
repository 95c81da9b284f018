"""Helpers for the receivables tests: checked invoices and receipts through the real services."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from intranet.clock import local_instant
from intranet.extensions import db
from intranet.models import Customer, Product
from intranet.services import invoices, orders, payments, receivables, shipments, stock

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def customer_of(users, rep="rep1", index=0):
    return db.session.scalars(select(Customer).where(Customer.owner_id == users[rep].id).order_by(Customer.id)).all()[index]


def product(code):
    return db.session.scalar(select(Product).where(Product.code == code))


def invoice(users, rep="rep1", qty=1, code="PP-20", price=None, checked_on: date | None = None, customer=None):
    """A checked invoice of `qty` × `code` for the rep's first customer (dated `checked_on`)."""
    p = product(code)
    price = Decimal(price) if price is not None else p.list_price
    stock.receive(users["assistant"], p, str(qty))
    c = customer or customer_of(users, rep)
    fields = {"customer": c, "delivery_method": "logistics", "consignee": "陈工", "phone": "021-6234 5678",
              "address": "上海市浦东新区张江路 88 号"}
    order = orders.request(users[rep] if c.owner_id == users[rep].id else users["assistant"], fields,
                           [orders.LineInput(p.id, str(qty), price)]).order
    note = payments.register(users["assistant"], {"customer": c, "pay_type": "transfer", "bank": "工行",
                                                  "amount": order.total, "paid_on": order.requested_on})
    payments.decide(users["finance"], note, True)
    orders.enter(users["assistant"], order, note)
    ln = order.lines[0]
    ship = shipments.prepare(users["assistant"], order, {ln.id: str(qty)},
                             {"carrier": "德邦", "method": "logistics", "waybill": f"W{order.id}", "pieces": "1"})
    shipments.check(users["manager"], ship)
    inv = invoices.prepare(users["assistant"], order, {ln.id: (str(qty), price)}, {
        "invoice_no": f"NO{order.id:06d}", "content": p.name, "recipient": "财务部", "mail_method": "courier"})
    invoices.check(users["manager"], inv)
    if checked_on is not None:  # back-date the invoice (tests only: the invoice date drives the ageing)
        inv.checked_at = local_instant(checked_on, 10)
    db.session.commit()
    return inv


def receipt(users, customer, amount, received_on=None):
    from intranet.clock import today_local

    p = receivables.register(users["finance"], {
        "customer": customer, "payer": customer.name, "pay_type": "transfer", "bank": "招商银行",
        "amount": Decimal(amount), "received_on": received_on or today_local()}, ("slip.png", PNG))
    db.session.commit()
    return p


def signed_contract(users, customer, amount="1000.00"):
    """A contract of the customer, reviewed by the manager and signed (issue 19: allocations name it)."""
    from intranet.clock import today_local
    from intranet.services import approvals, contracts

    p, rep = product("PP-20"), customer.owner
    contract = contracts.create_contract(rep, customer, [contracts.LineInput(p.id, 1, Decimal(amount))])
    req = contracts.submit_contract(rep, contract)
    approvals.decide(users["manager"], req.id, "approve", "同意")
    contracts.mark_signed(rep, contract, today_local())
    db.session.commit()
    return contract
