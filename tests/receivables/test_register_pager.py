"""The per-customer receivables view is paged: a page of customers, the totals row (and the
customer count, the credit total) of the whole register on every page, figures equal to a sum
written here over the invoices and allocations themselves."""

from decimal import Decimal

from receivable_helpers import customer_of, invoice
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import IncomingPayment, Invoice, PaymentAllocation
from intranet.services import receivables as svc


def _three_customers(users):
    made = [invoice(users, rep="rep1", qty=2, customer=customer_of(users, "rep1", i)) for i in range(3)]
    made.append(invoice(users, rep="rep3", qty=1))
    db.session.commit()
    return made


def _by_hand():
    """Open amount of every checked invoice (amount − confirmed allocations), and the customers' credit."""
    collected: dict[int, Decimal] = {}
    for a in db.session.scalars(select(PaymentAllocation).where(PaymentAllocation.confirmed_by_id.is_not(None))):
        if a.invoice_id:
            collected[a.invoice_id] = collected.get(a.invoice_id, Decimal("0")) + a.amount
    open_by_customer: dict[int, Decimal] = {}
    for inv in db.session.scalars(select(Invoice).where(Invoice.status == "checked")):
        left = inv.amount - collected.get(inv.id, Decimal("0"))
        if left > 0:
            open_by_customer[inv.order.customer_id] = open_by_customer.get(inv.order.customer_id, Decimal("0")) + left
    credit = sum((p.amount - p.allocated for p in db.session.scalars(select(IncomingPayment))
                  if p.customer_id in open_by_customer), Decimal("0"))
    return open_by_customer, credit


def test_pages_of_customers_keep_the_register_totals(app, users):
    _three_customers(users)
    open_by_customer, credit = _by_hand()
    assert len(open_by_customer) >= 3
    whole = svc.receivables(users["finance"], parts=("customer",))
    seen, page = [], 1
    while True:
        part = svc.receivables(users["finance"], parts=("customer",), per_page=2, page=page)
        assert len(part.by_customer) <= 2
        assert part.total == whole.total  # the totals row is the register's, not the page's
        assert part.customer_count == len(open_by_customer)
        assert part.credit_total == credit == sum((g.credit for g in whole.by_customer), Decimal("0"))
        seen += part.by_customer
        if not part.more_customers:
            break
        page += 1
    assert page >= 2
    assert [g.key for g in seen] == [g.key for g in whole.by_customer]  # same order, nothing twice
    assert {g.key: g.figures.open for g in seen} == open_by_customer
    assert whole.total.open == sum(open_by_customer.values())


def test_the_customer_view_has_a_second_page(app, users, login, monkeypatch):
    _three_customers(users)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    fin = login("finance")
    first = fin.get("/receivables/").get_data(as_text=True)
    second = fin.get("/receivables/?page=2").get_data(as_text=True)
    assert 'class="pager"' in first and "page=2" in first
    whole = svc.receivables(users["finance"], parts=("customer",))
    names = [g.name for g in whole.by_customer]
    assert names[0] in first and names[2] in second and names[2] not in first
    total_open = f"{whole.total.open:,.2f}"
    assert total_open in first and total_open in second
