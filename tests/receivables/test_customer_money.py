"""The customer page's money section: the open invoices with their age and flag, the overdue sum, the
customer's credit and the latest receipts equal the receivables service's figures; a rep sees it for
their own customer, the assistant and the manager for any; people without the customer's money records see no section."""

from datetime import timedelta
from decimal import Decimal

from receivable_helpers import PNG, invoice
from sqlalchemy import select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Invoice, Order
from intranet.models.receivables import PaymentAllocation
from intranet.services import receivables


def test_open_invoices_overdue_credit_and_receipts_on_the_customer_page(users, login):
    old = invoice(users, qty=4, checked_on=today_local() - timedelta(days=45))
    new = invoice(users, qty=2, checked_on=today_local() - timedelta(days=3), customer=old.order.customer)
    customer = old.order.customer
    paid = receivables.register(users["finance"], {"customer": customer, "payer": customer.name, "pay_type": "transfer",
                                                   "bank": "工行", "amount": Decimal("50.00"),
                                                   "received_on": today_local()}, ("slip.png", PNG))
    receivables.confirm(users["finance"], receivables.allocate(users["assistant"], paid, old, Decimal("30.00")))
    db.session.commit()
    overdue = old.amount - Decimal("30.00")
    # independently: each checked invoice of the customer less what finance has confirmed against it
    rows = db.session.scalars(select(Invoice).join(Order).where(Order.customer_id == customer.id,
                                                                 Invoice.status == "checked"))
    confirmed = {}
    for a in db.session.scalars(select(PaymentAllocation).where(PaymentAllocation.confirmed_by_id.is_not(None))):
        confirmed[a.invoice_id] = confirmed.get(a.invoice_id, Decimal("0.00")) + a.amount
    open_total = sum((inv.amount - confirmed.get(inv.id, Decimal("0.00")) for inv in rows), Decimal("0.00"))
    assert open_total >= overdue + new.amount  # the demo's own invoices of this customer count too
    for name in ("rep1", "assistant", "manager"):
        page = login(name).get(f"/customers/{customer.id}").get_data(as_text=True)
        assert 'id="customer-money"' in page, name
        assert old.invoice_no in page and new.invoice_no in page and paid.number in page
        shown = page.split('id="customer-open">')[1].split("<")[0]
        assert shown == f"¥{open_total:,.2f}", shown
        assert f"¥{overdue:,.2f}" in page and "已逾期" in page and "即将到期" not in page.split(new.invoice_no)[1][:400]
        assert f"¥{receivables.customer_credit(customer.id):,.2f}" in page
    assert login("rep3").get(f"/customers/{customer.id}").status_code in (403, 404)
