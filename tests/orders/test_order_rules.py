"""Acceptance 1–4 at the service layer: no empty order, payment first (and the director-approved
exception), legality, four eyes on shipments and invoices, the invoice check against the order."""

from datetime import timedelta
from decimal import Decimal

import pytest
from order_helpers import customer_of, fields, line, paid, product, receive, requested
from sqlalchemy import func, select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Todo
from intranet.models.orders import OrderShortage, ProductStock
from intranet.services import approvals, invoices, orders, payments, shipments
from intranet.services.errors import DomainError, Forbidden


def _stock(code):
    return db.session.scalar(select(ProductStock).where(ProductStock.product_id == product(code).id))


def test_a_request_beyond_stock_makes_no_order_and_registers_the_shortfall(app, users):
    receive(users, "SOFT-2", 3)
    c = customer_of(users)
    with pytest.raises(DomainError) as exc:
        orders.request(users["rep3"], fields(c), [line("SOFT-2", 5)])
    assert "缺 2" in str(exc.value.errors["lines-0-quantity"]) and "promised_on" in exc.value.errors
    db.session.rollback()
    promised = today_local() + timedelta(days=10)
    outcome = orders.request(users["rep3"], fields(c), [line("SOFT-2", 5)], promised_on=promised)
    db.session.commit()
    assert outcome.order is None
    row = db.session.scalar(select(OrderShortage).where(OrderShortage.customer_id == c.id,
                                                        OrderShortage.product_id == product("SOFT-2").id))
    assert (row.quantity, row.available, row.shortfall, row.promised_on) == (5, 3, 2, promised)
    boss = users["supervisor2"]
    assert db.session.scalar(select(Todo).where(Todo.user_id == boss.id, Todo.key.startswith("order-shortage:")))


def test_an_order_beyond_stock_cannot_be_entered(app, users):
    receive(users, "SOFT-2", 3)
    first, second = requested(users, qty=2), requested(users, qty=2)
    paid(users, first), paid(users, second)
    orders.enter(users["assistant"], first, first.payment or payments.usable_for(first)[0])
    db.session.commit()
    with pytest.raises(DomainError) as exc:
        orders.enter(users["assistant"], second, payments.usable_for(second)[0])
    assert "不得制做空单" in str(exc.value.message)
    db.session.rollback()
    rows = orders.register_shortage(users["assistant"], second, today_local() + timedelta(days=5))
    db.session.commit()
    assert [(r.quantity, r.available, r.shortfall) for r in rows] == [(2, 1, 1)]
    assert second.status == "requested" and (_stock("SOFT-2").on_hand, _stock("SOFT-2").reserved) == (3, 2)


def test_no_order_is_entered_before_finance_confirms_the_payment(app, users):
    receive(users, "SOFT-2", 5)
    order = requested(users)
    with pytest.raises(DomainError, match="款未到不得在系统中制单"):
        orders.enter(users["assistant"], order)
    db.session.rollback()
    note = payments.register(users["assistant"], {"customer": order.customer, "pay_type": "transfer", "bank": "工行",
                                                  "amount": order.total, "paid_on": today_local()})
    db.session.commit()
    with pytest.raises(DomainError, match="财务确认"):
        orders.enter(users["assistant"], order, note)  # registered, not yet confirmed
    db.session.rollback()
    with pytest.raises(Forbidden):
        payments.decide(users["assistant"], note, True)
    payments.decide(users["finance"], note, True)
    orders.enter(users["assistant"], order, note)
    db.session.commit()
    assert order.status == "entered" and order.payment_id == note.id and _stock("SOFT-2").reserved == 2
    other = requested(users)
    with pytest.raises(DomainError, match="余额"):  # the payment is used up by the first order
        orders.enter(users["assistant"], other, note)


def test_the_director_approved_exception_lets_an_unpaid_order_be_entered(app, users):
    receive(users, "SOFT-2", 5)
    order = requested(users)
    assert orders.needs(order) == ["unpaid", "credit"] or orders.needs(order) == ["unpaid"]
    req = orders.ask_exception(users["rep3"], order, "老客户年底资金紧张，承诺 15 天内付款")
    db.session.commit()
    assert [s["role"] for s in req.steps] == ["director", "finance"]
    with pytest.raises(DomainError):
        orders.enter(users["assistant"], order)  # not approved yet
    db.session.rollback()
    approvals.decide(users["director"], req.id, "approve", "同意")
    db.session.commit()
    with pytest.raises(DomainError):
        orders.enter(users["assistant"], order)  # finance has not checked yet
    db.session.rollback()
    approvals.decide(users["finance"], req.id, "approve", "已核")
    orders.enter(users["assistant"], order)
    db.session.commit()
    assert order.status == "entered" and order.payment_id is None


def test_a_price_below_list_needs_the_manager(app, users):
    receive(users, "SOFT-2", 5)
    order = requested(users, price="9000.00")
    paid(users, order)
    with pytest.raises(DomainError, match="低于价目表"):
        orders.enter(users["assistant"], order, payments.usable_for(order)[0])
    db.session.rollback()
    req = orders.ask_exception(users["rep3"], order, "批量采购，经理口头同意")
    assert [s["role"] for s in req.steps] == ["manager"]
    approvals.decide(users["manager"], req.id, "approve", "同意")
    db.session.commit()
    orders.enter(users["assistant"], order, payments.usable_for(order)[0])
    assert order.status == "entered"


def test_an_expired_licence_refuses_the_order(app, users):
    receive(users, "SOFT-2", 5)
    c = customer_of(users)
    c.certificates[0].expires_on = today_local() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(DomainError) as exc:
        orders.request(users["rep3"], fields(c), [line("SOFT-2", 1)])
    assert "过期" in str(exc.value.errors["customer_id"])


def test_a_rep_cannot_order_for_another_reps_customer(app, users):
    receive(users, "SOFT-2", 5)
    with pytest.raises(DomainError) as exc:
        orders.request(users["rep1"], fields(customer_of(users, "rep3")), [line("SOFT-2", 1)])
    assert "customer_id" in exc.value.errors


def _entered(users, qty=2):
    receive(users, "SOFT-2", 5)
    order = requested(users, qty=qty)
    orders.enter(users["assistant"], order, paid(users, order))
    db.session.commit()
    return order


SHIP = {"carrier": "德邦物流", "method": "logistics", "waybill": "DP1", "pieces": "1"}


def test_the_preparer_cannot_check_their_own_shipment_and_stock_moves_on_the_check(app, users):
    order = _entered(users)
    ln = order.lines[0]
    ship = shipments.prepare(users["assistant"], order, {ln.id: "1"}, SHIP)
    db.session.commit()
    with pytest.raises(Forbidden, match="双人复核"):
        shipments.check(users["assistant"], ship)
    db.session.rollback()
    assert _stock("SOFT-2").on_hand == 5
    shipments.check(users["manager"], ship)
    db.session.commit()
    assert (_stock("SOFT-2").on_hand, _stock("SOFT-2").reserved) == (4, 1)
    assert order.status == "partly_shipped" and ship.notice_due_on == today_local() + timedelta(days=1)
    assert db.session.scalar(select(Todo).where(Todo.key.startswith(f"shipment-notice:{ship.id}:")))
    with pytest.raises(DomainError):
        shipments.prepare(users["assistant"], order, {ln.id: "2"}, SHIP)  # only 1 left to ship


def test_the_customer_notice_is_emailed_once_and_recorded(app, users):
    from intranet.models import Email

    order = _entered(users)
    ship = shipments.prepare(users["assistant"], order, {order.lines[0].id: "2"}, {**SHIP, "tracking_phone": "95353"})
    shipments.check(users["manager"], ship)
    shipments.notify_customer(users["assistant"], ship, "buyer@example.com")
    db.session.commit()
    mail = db.session.scalar(select(Email).where(Email.key == f"shipment-notice:{ship.id}"))
    assert mail.to_addr == "buyer@example.com" and "DP1" in mail.body and "95353" in mail.body
    assert ship.notified_by_id == users["assistant"].id
    with pytest.raises(DomainError):
        shipments.notify_customer(users["assistant"], ship, "buyer@example.com")


def _shipped(users):
    order = _entered(users)
    ship = shipments.prepare(users["assistant"], order, {order.lines[0].id: "2"}, SHIP)
    shipments.check(users["manager"], ship)
    db.session.commit()
    return order


INV = {"invoice_no": "0440001", "content": "全自动软水器", "recipient": "财务部", "mail_method": "courier"}


def test_an_invoice_whose_price_or_quantity_differs_is_refused_at_the_check(app, users):
    order = _shipped(users)
    ln = order.lines[0]
    wrong = invoices.prepare(users["assistant"], order, {ln.id: ("2", Decimal("9500.00"))}, INV)
    db.session.commit()
    with pytest.raises(Forbidden):
        invoices.check(users["assistant"], wrong)
    db.session.rollback()
    with pytest.raises(DomainError, match="发票单价"):
        invoices.check(users["finance"], wrong)
    db.session.rollback()
    invoices.void(users["assistant"], wrong, "单价写错")
    right = invoices.prepare(users["assistant"], order, {ln.id: ("2", ln.unit_price)}, INV)
    invoices.check(users["finance"], right)
    db.session.commit()
    assert ln.invoiced_qty == 2 and right.amount == ln.unit_price * 2
    assert db.session.scalar(select(Todo).where(Todo.user_id == users["rep3"].id,
                                                Todo.key.startswith(f"invoice-collect:{right.id}:")))
    with pytest.raises(DomainError):
        invoices.prepare(users["assistant"], order, {ln.id: ("1", ln.unit_price)}, INV)  # nothing left to invoice


def test_taken_on_gives_a_reps_day(app, users):
    # the demo may already hold orders of rep3 today (receivables' invoices): count what this one adds
    before = orders.taken_on(users["rep3"].id, today_local())
    yesterday = orders.taken_on(users["rep3"].id, today_local() - timedelta(days=1)).orders
    order = _entered(users)
    day = orders.taken_on(users["rep3"].id, today_local())
    assert (day.orders - before.orders, day.amount - before.amount, day.paid - before.paid) == (
        1, order.total, order.total)
    assert orders.taken_on(users["rep3"].id, today_local() - timedelta(days=1)).orders == yesterday


def test_monthly_summary_goes_to_the_region_supervisor_then_finance(app, users):
    order = _shipped(users)
    ln = order.lines[0]
    inv = invoices.prepare(users["assistant"], order, {ln.id: ("2", ln.unit_price)}, INV)
    invoices.check(users["finance"], inv)
    made = invoices.build_summaries(inv.month)
    south = next(s for s in made if s.region_id == users["rep3"].region_id)
    # the demo's own invoices of the month are in the summary too: this invoice is one of its rows
    mine = next(r for r in south.rows if r["customer"] == order.customer.name)
    assert Decimal(mine["amount"]) >= inv.amount
    assert south.total == sum((Decimal(r["amount"]) for r in south.rows), Decimal("0.00"))
    with pytest.raises(Forbidden):
        invoices.confirm_summary(users["finance"], south)
    with pytest.raises(Forbidden):
        invoices.confirm_summary(users["supervisor1"], south)  # another region
    invoices.confirm_summary(users["supervisor2"], south)
    invoices.confirm_summary(users["finance"], south)
    assert south.status == "reviewed"
    assert invoices.build_summaries(inv.month) == []  # once per month and region


@pytest.mark.calendar
def test_the_summary_job_builds_last_months_summaries_once(app, users):
    from intranet.clock import add_months, month_of
    from intranet.jobs.orders import build_invoice_summaries
    from intranet.models.orders import InvoiceSummary

    last = add_months(month_of(today_local()), -1)
    existing = db.session.scalar(select(func.count()).select_from(InvoiceSummary).where(InvoiceSummary.month == last))
    from intranet.models import Region

    regions = db.session.scalar(select(func.count()).select_from(Region))
    made = build_invoice_summaries()
    assert made + existing == regions and build_invoice_summaries() == 0  # one per region, once
