"""Acceptance 3 on PostgreSQL: people allocating the same receipt at the same moment never allocate
more than its amount (the receipt row is locked; the CHECK constraint backs it up)."""

from decimal import Decimal

import pytest
from race import race
from receivable_helpers import invoice, receipt
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from intranet.extensions import db
from intranet.models import IncomingPayment, Invoice, PaymentAllocation, User
from intranet.services import audit, receivables

pytestmark = pytest.mark.postgres


def test_concurrent_allocations_never_exceed_the_receipt(pg_app):
    users = {u.username: u for u in db.session.scalars(select(User))}
    invs = [invoice(users, qty=10) for _ in range(8)]  # 8 invoices of 185.00
    p = receipt(users, invs[0].order.customer, "500.00")
    ids, pid, assistant_id = [i.id for i in invs], p.id, users["assistant"].id

    def allocate(i):
        receivables.allocate(db.session.get(User, assistant_id), db.session.get(IncomingPayment, pid),
                             db.session.get(Invoice, ids[i]), Decimal("100.00"))
        return "ok"

    results = race(pg_app, 8, allocate)
    assert results.count("ok") == 5, results
    assert all(r == "ok" or "超出来款未分配金额" in r for r in results), results
    db.session.expire_all()
    p = db.session.get(IncomingPayment, pid)
    total = db.session.scalar(select(db.func.sum(PaymentAllocation.amount)).where(PaymentAllocation.payment_id == pid))
    assert p.allocated == total == Decimal("500.00")
    assert receivables.verify() == [] and audit.verify() is None


def test_concurrent_allocations_to_one_invoice_never_exceed_it(pg_app):
    users = {u.username: u for u in db.session.scalars(select(User))}
    inv = invoice(users, qty=10)  # 185.00
    c = inv.order.customer
    pids = [receipt(users, c, "100.00").id for _ in range(4)]
    inv_id, assistant_id = inv.id, users["assistant"].id

    def allocate(i):
        receivables.allocate(db.session.get(User, assistant_id), db.session.get(IncomingPayment, pids[i]),
                             db.session.get(Invoice, inv_id), Decimal("60.00"))
        return "ok"

    results = race(pg_app, 4, allocate)
    assert results.count("ok") == 3, results
    db.session.expire_all()
    assert receivables.invoice_open(db.session.get(Invoice, inv_id)) == Decimal("5.00")
    assert receivables.verify() == []


def test_confirmations_of_one_invoice_at_once_all_count(pg_app):
    """Finance confirming four receipts' allocations to the same invoice at the same moment: the
    invoice's collected figure holds all four (an increment in SQL, never a lost update)."""
    users = {u.username: u for u in db.session.scalars(select(User))}
    inv = invoice(users, qty=10)  # 185.00
    c = inv.order.customer
    rows = [receivables.allocate(users["assistant"], receipt(users, c, "40.00"), inv, Decimal("40.00")).id
            for _ in range(4)]
    db.session.commit()
    inv_id, finance_id = inv.id, users["finance"].id

    def confirm(i):
        receivables.confirm(db.session.get(User, finance_id), db.session.get(PaymentAllocation, rows[i]))
        return "ok"

    assert race(pg_app, 4, confirm) == ["ok"] * 4
    db.session.expire_all()
    assert receivables.invoice_collected(inv_id) == Decimal("160.00")
    assert receivables.verify() == []


def test_the_database_refuses_over_allocation(pg_app):
    users = {u.username: u for u in db.session.scalars(select(User))}
    inv = invoice(users, qty=2)
    p = receipt(users, inv.order.customer, "37.00")
    with pytest.raises(IntegrityError):
        db.session.connection().execute(text("UPDATE incoming_payment SET allocated = 38 WHERE id = :id"), {"id": p.id})
    db.session.rollback()


def test_ageing_in_postgresql_equals_the_independent_computation(pg_app):
    from test_ageing import _check, _independent, _seed

    from intranet.clock import today_local

    users = {u.username: u for u in db.session.scalars(select(User))}
    _seed(users)
    _check(receivables.receivables(users["finance"], today_local()), _independent(today_local()))
