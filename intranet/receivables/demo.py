"""Demo receivables: checked invoices of rep1, rep2 and rep3's customers at several ages (a few days,
about 40, 75 and 120 days back), two receipts registered by finance from the bank slip — one of
rep1's customer partly allocated (one allocation confirmed, one waiting for finance, the rest held
as credit), one of rep3's customer fully allocated and confirmed; this month's dunning notice of
rep1's team issued by finance, waiting for supervisor1 to pass it on. Made through the real services
(the invoice dates are then set back: the invoice date drives the ageing); the to-dos and emails
that sends are removed again. Idempotent. Dates relative to today: works on any day."""

from decimal import Decimal

from sqlalchemy import select

from ..clock import local_instant
from ..demo import SEED_HOOKS, demo_image, forget_notices, working_day_back
from ..extensions import db
from ..models import Customer, IncomingPayment, Product
from ..services import dunning, invoices, orders, payments, receivables, shipments, stock

# rep, customer index, product, quantity, invoice days back
INVOICES = [("rep1", 0, "MEM-4040", 10, 6), ("rep1", 0, "UF-200", 1, 40), ("rep1", 1, "SF-10", 1, 75),
            ("rep2", 1, "AC-10", 2, 120), ("rep2", 1, "PP-20", 40, 20), ("rep3", 0, "UV-30", 1, 50),
            ("rep3", 0, "MEM-4040", 4, 33)]


def _customer(rep, index) -> Customer:
    return db.session.scalars(select(Customer).where(Customer.owner_id == rep.id).order_by(Customer.id)).all()[index]


def _product(code) -> Product:
    return db.session.scalar(select(Product).where(Product.code == code))


def _invoice(users, rep, index, code, qty, days_back):
    assistant, p = users["assistant"], _product(code)
    customer = _customer(users[rep], index)
    stock.receive(assistant, p, str(qty), reference="RK-DEMO")
    order = orders.request(users[rep], {"customer": customer, "delivery_method": "logistics", "consignee": "财务部",
                                        "phone": "021-6234 5678", "address": "上海市浦东新区张江路 88 号"},
                           [orders.LineInput(p.id, str(qty), p.list_price)]).order
    note = payments.register(assistant, {"customer": customer, "pay_type": "transfer", "bank": "工商银行",
                                         "amount": order.total, "paid_on": order.requested_on})
    payments.decide(users["finance"], note, True)
    orders.enter(assistant, order, note)
    line = order.lines[0]
    ship = shipments.prepare(assistant, order, {line.id: str(qty)}, {
        "carrier": "德邦物流", "method": "logistics", "waybill": f"DPK{order.id:05d}", "pieces": "1"})
    shipments.check(users["manager"], ship)
    inv = invoices.prepare(assistant, order, {line.id: (str(qty), line.unit_price)}, {
        "invoice_no": f"0450{order.id:04d}", "content": p.name, "recipient": "财务部", "mail_method": "courier"})
    invoices.check(users["manager"], inv)
    inv.checked_at = local_instant(working_day_back(days_back), 10)
    return inv


def _receipt(users, customer, amount, days_back):
    return receivables.register(users["finance"], {
        "customer": customer, "payer": customer.name, "pay_type": "transfer", "bank": "招商银行上海分行",
        "amount": Decimal(amount), "received_on": working_day_back(days_back)}, ("回单.png", demo_image("receipt-print")))


def seed_receivables(users) -> int:
    if db.session.scalar(select(IncomingPayment.id).limit(1)) is not None:
        return 0
    if db.session.scalar(select(Customer.id).where(Customer.owner_id == users["rep1"].id)) is None:
        return 0
    made = [_invoice(users, *row) for row in INVOICES]
    assistant, finance = users["assistant"], users["finance"]
    first = _receipt(users, made[0].order.customer, "30000.00", 3)
    receivables.confirm(finance, receivables.allocate(assistant, first, made[1], made[1].amount, "货款"))
    receivables.allocate(assistant, first, made[0], Decimal("5000.00"), "部分货款")  # waiting for finance
    second = _receipt(users, made[5].order.customer, str(made[6].amount), 1)
    receivables.confirm(finance, receivables.allocate(assistant, second, made[6], made[6].amount, "货款"))
    dunning.issue(finance, users["rep1"].team)  # this month's notice of rep1's team, waiting for supervisor1
    forget_notices(["order", "payment:", "shipment-", "invoice-", "incoming:", "allocation:", "dunning:"])
    db.session.flush()
    return len(made) + 2


SEED_HOOKS.append(seed_receivables)
