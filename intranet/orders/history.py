"""Demo history: the past eleven months of the order desk, so the 销售状况一览表, the sales statistics,
the receivables ageing and the order lists show a year of work — two orders per rep and month, each
paid first, entered, shipped and checked, the customer told the next working day, invoiced and
checked; most invoices paid within weeks (incoming money allocated and confirmed), a few still open
and overdue.

Made through the real services (stock received for each order, so stock still equals receipts −
shipments), then the stages moved to office hours on the working days they happened and the
documents numbered in their own month (DD-202603-0001). An order the rules refuse (an expired
licence, say) is skipped, as the desk would. Idempotent: nothing is made when an order of a past
month exists."""

import random
from datetime import date

from sqlalchemy import func, select

from ..clock import SHANGHAI, add_months, local_instant, month_bounds, month_of, today_local
from ..demo import demo_image, forget_notices, next_working_day, working_days
from ..extensions import db
from ..models import Customer, Invoice, Order, PaymentNotice, Product, Shipment
from ..models.orders import ProductMovement
from ..services import invoices, numbering, orders, payments, receivables, shipments, stock
from ..services.errors import DomainError

MONTHS_BACK = 11
PER_REP = 2
BASKETS = [[("MEM-4040", 8)], [("UF-200", 1), ("PP-20", 40)], [("SF-10", 1), ("AC-10", 1)], [("UV-30", 2)],
           [("SOFT-2", 1)], [("RO-500", 1), ("MEM-4040", 4)], [("PP-20", 120)], [("DOS-1", 1), ("UV-30", 1)]]
REPS = ("rep1", "rep2", "rep3", "rep4")


def _product(code) -> Product | None:
    return db.session.scalar(select(Product).where(Product.code == code, Product.active))


def _at(day: date, hour: int, minute: int = 0):
    return local_instant(day, hour, minute)


def _numbered(prefix: str, model, day) -> str:
    """A number in the month the document happened (the service numbers in today's month)."""
    return numbering.monthly(prefix, model, month_of(day))


def _flow(users, rep, customer: Customer, basket, day: date, rnd: random.Random):
    """One order from request to checked invoice, then moved back to `day` and after. None when refused."""
    assistant, manager, finance = users["assistant"], users["manager"], users["finance"]
    lines = [(p, qty) for p, qty in ((_product(code), qty) for code, qty in basket) if p is not None]
    if not lines:
        return None
    first_movement = (db.session.scalar(select(func.max(ProductMovement.id))) or 0) + 1
    with db.session.begin_nested() as step:
        try:
            for p, qty in lines:
                stock.receive(assistant, p, str(qty), batch=f"{day:%Y%m%d}", packaging="木箱", reference="RK-HIST")
            order = orders.request(rep, {"customer": customer, "delivery_method": "logistics", "consignee": "采购部",
                                         "phone": "021-6234 5678", "address": customer.invoice_address or "客户收货地址"},
                                   [orders.LineInput(p.id, str(q), p.list_price, row=i)
                                    for i, (p, q) in enumerate(lines)]).order
            note = payments.register(assistant, {"customer": customer, "pay_type": "transfer", "bank": "工商银行",
                                                 "amount": order.total, "paid_on": day})
            payments.decide(finance, note, True)
            orders.enter(assistant, order, note)
            ship = shipments.prepare(assistant, order, {ln.id: str(ln.quantity) for ln in order.lines}, {
                "carrier": rnd.choice(["德邦物流", "顺丰速运", "中通快运"]), "method": "logistics",
                "waybill": f"HIST{order.id:06d}", "pieces": str(len(lines))})
            shipments.check(manager, ship)
            inv = invoices.prepare(assistant, order, {ln.id: (str(ln.quantity), ln.unit_price) for ln in order.lines},
                                   {"invoice_no": f"0460{order.id:04d}", "content": lines[0][0].name,
                                    "recipient": "财务部", "mail_method": "courier"})
            invoices.check(manager, inv)
        except DomainError:
            step.rollback()
            return None
    shipped = next_working_day(day, rnd.randint(0, 2))
    invoiced = next_working_day(shipped, rnd.randint(1, 4))
    order.number, order.requested_on, order.created_at = _numbered("DD", Order, day), day, _at(day, 9, 20)
    order.entered_on, order.entered_at = day, _at(day, 11, 5)
    note.number, note.paid_on, note.registered_at = _numbered("SK", PaymentNotice, day), day, _at(day, 10, 10)
    note.confirmed_on, note.confirmed_at = day, _at(day, 10, 40)
    ship.number, ship.prepared_at, ship.checked_at = _numbered("FH", Shipment, shipped), _at(shipped, 14), _at(shipped, 15)
    ship.shipped_on, ship.notice_due_on = shipped, next_working_day(shipped)
    ship.notified_at, ship.notified_by_id, ship.notified_to = _at(ship.notice_due_on, 9, 30), assistant.id, "采购部"
    inv.number, inv.prepared_at, inv.checked_at = _numbered("KP", Invoice, invoiced), _at(invoiced, 10), _at(invoiced, 16)
    inv.month = month_of(invoiced)
    for movement in db.session.scalars(select(ProductMovement).where(ProductMovement.id >= first_movement)):
        movement.at = _at(day, 8, 30) if movement.shipment_id is None else _at(shipped, 15)
        if movement.shipment_id is not None:
            movement.reference = ship.number
    return inv


def _collect(users, inv: Invoice, rnd: random.Random) -> bool:
    """The customer pays 10–35 days after the invoice: finance registers it, the assistant allocates it,
    finance confirms — then moved back to that day."""
    checked = inv.checked_at.astimezone(SHANGHAI).date()
    paid = next_working_day(checked, rnd.randint(8, 25))
    if paid >= today_local():
        return False
    customer = inv.order.customer
    incoming = receivables.register(users["finance"], {
        "customer": customer, "payer": customer.name, "pay_type": "transfer", "bank": "招商银行",
        "amount": inv.amount, "received_on": paid}, ("回单.png", demo_image("receipt-print")))
    row = receivables.confirm(users["finance"], receivables.allocate(users["assistant"], incoming, inv, inv.amount, "货款"))
    row.confirmed_at = _at(paid, 15, 30)  # the receipt itself is append-only: its received_on is the day
    return True


def _customers(users) -> dict[str, list[Customer]]:
    return {name: list(db.session.scalars(select(Customer).where(Customer.owner_id == users[name].id)
                                         .order_by(Customer.id).limit(6))) for name in REPS}


def seed_history_orders(users) -> int:
    today = today_local()
    this_month, _last = month_bounds(month_of(today))
    if db.session.scalar(select(Order.id).where(Order.requested_on < this_month).limit(1)) is not None:
        return 0
    rnd, customers, made = random.Random(2026), _customers(users), 0
    for back in range(MONTHS_BACK, 0, -1):
        first, last = month_bounds(add_months(month_of(today), -back))
        days = working_days(first, last)
        for name in REPS:
            for _ in range(PER_REP):
                if not customers[name] or not days:
                    continue
                inv = _flow(users, users[name], rnd.choice(customers[name]), rnd.choice(BASKETS), rnd.choice(days),
                            rnd)
                if inv is None:
                    continue
                made += 1
                if rnd.random() < 0.85:  # most pay; the rest stay open, some of them overdue
                    made += _collect(users, inv, rnd)
    db.session.flush()
    forget_notices(["order", "payment:", "shipment-", "invoice-", "incoming:", "allocation:"])
    return made


__all__ = ["seed_history_orders"]
