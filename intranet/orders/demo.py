"""Demo orders: the morning's warehouse receipts; rep1's customer paid, finance confirmed, the order
entered and shipped in part (checked; the customer notice due tomorrow) and invoiced for what
shipped (waiting for the check); rep3's customer's request waiting for the money (the payment
notice registered, not yet confirmed); a shortage registered with its promised date; last month's
invoicing summaries for the supervisors; a month-end count waiting for finance's lock. Made through the real services; the to-dos and emails
that sends are removed again. Idempotent. Dates relative to today: works on any day."""

from datetime import timedelta

from sqlalchemy import select

from ..clock import today_local
from ..demo import SEED_HOOKS, forget_notices
from ..extensions import db
from ..models import Customer, Product
from ..models.orders import ProductMovement
from ..services import invoices, orders, payments, shipments, stock

RECEIPTS = [("RO-500", 6), ("UF-200", 10), ("MEM-4040", 80), ("PP-20", 500), ("SF-10", 4), ("UV-30", 3)]


def _customer(rep) -> Customer | None:
    return db.session.scalar(select(Customer).where(Customer.owner_id == rep.id).order_by(Customer.id))


def _product(code) -> Product:
    return db.session.scalar(select(Product).where(Product.code == code))


def _request(actor, customer, lines, **extra):
    fields = {"customer": customer, "delivery_method": "logistics", "consignee": "采购部 陈工", "phone": "021-6234 5678",
              "address": "上海市浦东新区张江路 88 号", "wanted_on": today_local() + timedelta(days=7), **extra}
    return orders.request(actor, fields, [orders.LineInput(_product(c).id, str(q), _product(c).list_price, row=i)
                                          for i, (c, q) in enumerate(lines)]).order


def seed_orders(users) -> int:
    if db.session.scalar(select(ProductMovement.id).limit(1)) is not None:
        return 0
    assistant, manager, finance = users["assistant"], users["manager"], users["finance"]
    for code, qty in RECEIPTS:
        stock.receive(assistant, _product(code), str(qty), batch=f"{today_local():%Y%m%d}", packaging="木箱",
                      reference=f"RK{today_local():%m%d}")
    c1, c3 = _customer(users["rep1"]), _customer(users["rep3"])
    if c1 is None or c3 is None:
        return len(RECEIPTS)
    order = _request(assistant, c1, [("UF-200", 2), ("MEM-4040", 20)])
    note = payments.register(assistant, {"customer": c1, "pay_type": "transfer", "bank": "招商银行上海分行",
                                         "amount": order.total, "paid_on": today_local()})
    payments.decide(finance, note, True)
    orders.enter(assistant, order, note)
    line_uf = order.lines[0]
    ship = shipments.prepare(assistant, order, {line_uf.id: "2"}, {
        "carrier": "德邦物流", "method": "logistics", "waybill": "DPK2026001", "pieces": "2",
        "tracking_phone": "95353", "promised_on": today_local() + timedelta(days=3), "extras": "产品彩页 2 份"})
    shipments.check(manager, ship)
    invoices.prepare(assistant, order, {line_uf.id: ("2", line_uf.unit_price)}, {
        "invoice_no": "04400123", "content": "超滤净水机组", "recipient": "财务部 陈工", "mail_method": "courier",
        "tracking_no": "SF1400000001"})
    waiting = _request(users["rep3"], c3, [("RO-500", 1)], consignee="生产部 黄志明", phone="020-3456 7890",
                       address="广州市天河区黄埔大道 100 号")
    payments.register(assistant, {"customer": c3, "pay_type": "transfer", "bank": "工商银行广州分行",
                                  "amount": waiting.total, "paid_on": today_local()})
    orders.request(users["rep3"], {"customer": c3, "delivery_method": "courier", "consignee": "黄志明",
                                   "phone": "020-3456 7890", "address": "广州市天河区黄埔大道 100 号"},
                   [orders.LineInput(_product("UV-30").id, "5", _product("UV-30").list_price)],
                   promised_on=today_local() + timedelta(days=14))
    stock.record_count(assistant, "month_end", {_product("PP-20").id: "500", _product("SF-10").id: "4"}, {})
    invoices.build_summaries()
    forget_notices(["order", "payment:", "shipment-", "invoice-"])
    return len(RECEIPTS) + 3


SEED_HOOKS.append(seed_orders)
