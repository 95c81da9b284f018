"""Small builders shared by the expenses tests (imported by file path: tests/ is not a package)."""

from datetime import date, timedelta
from decimal import Decimal

from intranet.extensions import db
from intranet.services import advances, approvals, expenses, ledger
from intranet.web.formatting import today_local

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def last_month() -> tuple[str, date]:
    """The previous month (settleable today) and its first day."""
    first_this = today_local().replace(day=1)
    first_prev = (first_this - timedelta(days=1)).replace(day=1)
    return f"{first_prev:%Y-%m}", first_prev


def approve_all(request, *deciders) -> None:
    for user in deciders:
        approvals.decide(user, request.id, "approve")


def approve_through(request) -> None:
    """Approve every step, each by the first person who holds it."""
    while request.status == "pending":
        approvals.decide(approvals.holders(request)[0], request.id, "approve")


def claim(user, *amounts: str, title="差旅报销", category="travel", day: date | None = None, receipt=True):
    day = day or today_local()
    doc = expenses.save_claim(user, None, title=title, lines=[
        {"category": category, "spent_on": day, "amount": Decimal(a), "description": f"第{i + 1}项"}
        for i, a in enumerate(amounts)])
    if receipt:
        expenses.attach_receipt(user, doc, "fapiao.png", PNG)
    return doc


def approved_claim(users, who: str, *amounts: str, day: date | None = None):
    doc = claim(users[who], *amounts, day=day)
    request = expenses.submit_claim(users[who], doc)
    boss = users[who].reports_to
    approve_all(request, boss)
    assert doc.status == "approved", doc.status
    return doc


def paid_advance(users, who: str, amount: str):
    today = today_local()
    adv = advances.save(users[who], None, amount=Decimal(amount), purpose="出差借款", trip_start=today,
                        trip_end=today + timedelta(days=2))
    request = advances.submit(users[who], adv)
    approve_all(request, users[who].reports_to, users["manager"])
    advances.pay_out(users["finance"], adv)
    return adv


def new_cashier(make_user, name="cashier"):
    """A second assistant with an empty cash box (the demo assistant's box already has this month's rows)."""
    user = make_user("assistant", username=name)
    return db.session.merge(user)


def fresh_account(user):
    return ledger.account_for(user)
