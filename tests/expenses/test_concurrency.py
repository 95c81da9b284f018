"""Acceptance 2: 50 concurrent disbursements against a float that covers 40 (PostgreSQL, row locks)."""

import threading
from decimal import Decimal

import pytest

from intranet.extensions import db
from intranet.models import LedgerEntry, PettyCashAccount, User
from intranet.services import ledger
from intranet.services.errors import DomainError

pytestmark = pytest.mark.postgres


def test_fifty_disbursements_forty_fit(pg_app):
    cashier = User(username="cashier", name="出纳", email="c@test.local", role="assistant")
    cashier.set_password("demo12345")
    db.session.add(cashier)
    db.session.flush()
    account = ledger.account_for(cashier)
    ledger.receive_from_finance(cashier, account, Decimal("400.00"), "备用金")
    db.session.commit()
    ids = (cashier.id, account.id)

    results: list[str] = []
    start = threading.Barrier(50)

    def spend(i: int) -> None:
        with pg_app.app_context():
            start.wait(60)  # all 50 start together (before any of them holds a pooled connection)
            try:
                user, acct = db.session.get(User, ids[0]), db.session.get(PettyCashAccount, ids[1])
                ledger.disburse(user, acct, Decimal("10.00"), "courier", f"快递 {i}")
                db.session.commit()
                results.append("ok")
            except DomainError as exc:
                db.session.rollback()
                results.append(str(exc.message))
            except Exception as exc:  # noqa: BLE001 — reported by the assertion below
                db.session.rollback()
                results.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    assert len(results) == 50
    assert results.count("ok") == 40, [r for r in results if r != "ok"][:3]
    assert all(r == "ok" or "余额不足" in r for r in results), results
    db.session.expire_all()
    account = db.session.get(PettyCashAccount, ids[1])
    assert account.balance == Decimal("0.00")
    entries = list(db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.account_id == account.id)
                                      .order_by(LedgerEntry.id)))
    assert len(entries) == 41
    previous = Decimal("0.00")
    for entry in entries:
        assert entry.balance >= 0
        assert entry.balance == previous + entry.amount
        previous = entry.balance
    assert [e.seq for e in entries] == list(range(1, 42))
    assert ledger.verify() == []


def test_database_refuses_a_negative_balance(pg_app):
    """The CHECK constraint backs the service up: even a raw UPDATE cannot make the box negative."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    cashier = User(username="cashier2", name="出纳", email="c2@test.local", role="assistant")
    cashier.set_password("demo12345")
    db.session.add(cashier)
    db.session.flush()
    account = ledger.account_for(cashier)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE petty_cash_account SET balance = -1 WHERE id = :id"), {"id": account.id})
    db.session.rollback()


def test_two_assistants_paying_one_claim_pay_it_once(pg_app):
    """The claim row is locked: of two simultaneous payments one wins, the other is told it was paid."""
    import expense_helpers as h

    from intranet.models import ExpenseClaim

    users = {u.username: u for u in db.session.scalars(db.select(User))}
    doc = h.approved_claim(users, "rep1", "150.00")
    db.session.commit()
    ids = (users["assistant"].id, doc.id)
    results: list[str] = []
    start = threading.Barrier(2)

    def pay() -> None:
        with pg_app.app_context():
            start.wait(30)
            try:
                from intranet.services import expenses

                expenses.pay_claim(db.session.get(User, ids[0]), db.session.get(ExpenseClaim, ids[1]), "petty_cash")
                db.session.commit()
                results.append("ok")
            except DomainError as exc:
                db.session.rollback()
                results.append(str(exc.message))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results)[0] == "ok" and "已被支付" in sorted(results)[1], results
    entries = db.session.scalar(db.select(db.func.count(LedgerEntry.id)).where(LedgerEntry.ref_type == "expense",
                                                                              LedgerEntry.ref_id == ids[1]))
    assert entries == 1
    assert ledger.verify() == []
