"""The customer page's money section: the customer's open invoices with their age and flag, the
customer's unallocated credit, and the latest receipts — for whoever may see that customer's money
(services/receivables.py scope: a rep their own customers, a supervisor the team's, money people all).
The customer template includes receivables/_customer_money.html, which asks for them here."""

from flask_login import current_user

from ..extensions import db
from ..models import IncomingPayment
from ..services import receivables as svc
from . import bp

LATEST = 10


@bp.app_template_global()
def customer_money(customer) -> dict | None:
    """None when the viewer sees no money records of this customer."""
    if current_user.role not in (*svc.READERS, "rep", "supervisor"):
        return None
    book = svc.receivables(current_user, customer_id=customer.id)
    payments = list(db.session.scalars(svc.visible(current_user).where(IncomingPayment.customer_id == customer.id)
                                       .order_by(IncomingPayment.received_on.desc(), IncomingPayment.id.desc())
                                       .limit(LATEST)))
    credit = book.by_customer[0].credit if book.by_customer else svc.customer_credit(customer.id)
    return {"book": book, "payments": payments, "credit": credit, "labels": svc.FLAG_LABELS}
