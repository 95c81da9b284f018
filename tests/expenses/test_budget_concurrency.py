"""Two claims of rep1 submitted at the same moment, each within the travel budget alone, together past
it: exactly one of them gets the extra approval level (PostgreSQL, the audit chain's lock)."""

import threading
from decimal import Decimal

import expense_helpers as h
import pytest

from intranet.extensions import db
from intranet.models import ExpenseClaim, ExpenseLine, User
from intranet.services import approvals, expense_budgets, expenses, ledger
from intranet.web.formatting import today_local

pytestmark = pytest.mark.postgres


def test_two_claims_at_once_are_counted_one_after_the_other(pg_app):
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    rep1, month = users["rep1"], ledger.period_of(today_local())
    base = sum((ln.amount for ln in db.session.scalars(db.select(ExpenseLine)).all()
                if ln.claim.claimant_id == rep1.id and ln.category == "travel"
                and ln.claim.status in ("pending", "approved", "paid") and f"{ln.spent_on:%Y-%m}" == month),
               Decimal("0.00"))
    expense_budgets.set_budget(users["director"], period=month, target=f"u{rep1.id}", category="travel",
                               amount=base + Decimal("150.00"))
    ids = [h.claim(rep1, "100.00").id, h.claim(rep1, "100.00").id]
    db.session.commit()
    start, results = threading.Barrier(2), []

    def submit(claim_id: int) -> None:
        with pg_app.app_context():
            start.wait(60)
            try:
                claim = db.session.get(ExpenseClaim, claim_id)
                request = expenses.submit_claim(claim.claimant, claim)
                results.append([s["role"] or s["approver_kind"] for s in request.steps])
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 — reported by the assertion below
                db.session.rollback()
                results.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(results) == [["line_manager"], ["line_manager", "manager"]], results
    db.session.expire_all()
    assert sorted(len(approvals.request_for("expense", i).steps) for i in ids) == [1, 2]
