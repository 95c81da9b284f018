"""来款 and its allocation: finance registers, the assistant allocates (partial; the rest is credit),
finance confirms (four eyes); corrections are reversals, never edits; the chain is verifiable."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from receivable_helpers import PNG, customer_of, invoice, receipt, signed_contract
from sqlalchemy import select, text

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import AuditEntry, IncomingPayment, PaymentAllocation, Todo
from intranet.services import audit, receivables
from intranet.services.errors import DomainError, Forbidden
from intranet.services.ledger import LedgerIsAppendOnly


def _fields(customer, **extra):
    return {"customer": customer, "payer": "杭州清源", "pay_type": "transfer", "bank": "招行",
            "amount": Decimal("100.00"), "received_on": today_local(), **extra}


def test_only_finance_registers_and_the_slip_is_checked_by_content(app, users):
    c = customer_of(users)
    with pytest.raises(Forbidden):
        receivables.register(users["assistant"], _fields(c), ("slip.png", PNG))
    with pytest.raises(DomainError) as exc:
        receivables.register(users["finance"], _fields(c, payer="", amount=None), ("slip.png", b"MZ\x90\x00 not an image"))
    assert set(exc.value.errors) == {"payer", "amount", "slip"}
    with pytest.raises(DomainError) as exc:
        receivables.register(users["finance"], _fields(c), None)
    assert "slip" in exc.value.errors
    db.session.rollback()
    p = receivables.register(users["finance"], _fields(c), ("slip.png", PNG))
    db.session.commit()
    assert p.number.startswith("LK-") and p.unallocated == Decimal("100.00")
    assert receivables.slip(p).content_type == "image/png"
    assert db.session.scalar(select(Todo).where(Todo.user_id == users["assistant"].id,
                                                Todo.key == f"incoming:{p.id}:allocate:u{users['assistant'].id}"))


def test_partial_allocation_confirmed_by_finance_leaves_the_rest_as_credit(app, users):
    inv1 = invoice(users, qty=10)  # 10 × 18.50 = 185.00
    inv2 = invoice(users, qty=4)   # 74.00
    c = inv1.order.customer
    credit_before = receivables.customer_credit(c.id)
    contract = signed_contract(users, c)
    p = receipt(users, c, "300.00")
    a1 = receivables.allocate(users["assistant"], p, inv1, Decimal("185.00"))
    a2 = receivables.allocate(users["assistant"], p, inv2, Decimal("50.00"), contract_ref=contract.id)
    db.session.commit()
    assert a2.contract_ref == contract.id and a2.contract is contract and a1.contract_ref is None
    assert p.unallocated == Decimal("65.00")
    assert receivables.customer_credit(c.id) - credit_before == Decimal("65.00")
    assert receivables.invoice_open(inv2) == Decimal("24.00")
    assert receivables.invoice_collected(inv1.id) == 0  # not confirmed yet: still owed
    with pytest.raises(Forbidden):
        receivables.confirm(users["assistant"], a1)
    receivables.confirm(users["finance"], a1)
    db.session.commit()
    assert receivables.invoice_collected(inv1.id) == Decimal("185.00")
    with pytest.raises(DomainError):
        receivables.confirm(users["finance"], a1)  # once
    db.session.rollback()
    with pytest.raises(DomainError) as exc:
        receivables.allocate(users["assistant"], p, inv2, Decimal("30.00"))  # invoice has 24.00 left
    assert "24.00" in str(exc.value.message)
    db.session.rollback()
    with pytest.raises(DomainError):
        receivables.allocate(users["assistant"], p, invoice(users, qty=10), Decimal("65.01"))  # receipt has 65.00
    db.session.rollback()
    assert receivables.verify() == [] and audit.verify() is None


def test_the_confirmer_is_never_the_allocator(app, users, make_user):
    inv = invoice(users, qty=2)
    p = receipt(users, inv.order.customer, "37.00")
    clerk = make_user(role="assistant")
    row = receivables.allocate(clerk, p, inv, Decimal("37.00"))
    db.session.commit()
    assert receivables.may_confirm(users["finance"], row)
    clerk.role = "finance"  # moved to finance later: still never confirms what they allocated
    db.session.commit()
    assert not receivables.may_confirm(clerk, row)
    with pytest.raises(Forbidden):
        receivables.confirm(clerk, row)
    with pytest.raises(Forbidden):
        receivables.allocate(users["finance"], p, inv, Decimal("1.00"))  # finance confirms, does not allocate
    with pytest.raises(Forbidden):
        receivables.confirm(users["rep1"], row)


def test_an_invoice_of_another_customer_is_refused(app, users):
    inv = invoice(users, qty=2)
    other = customer_of(users, "rep3")
    p = receipt(users, other, "37.00")
    with pytest.raises(DomainError) as exc:
        receivables.allocate(users["assistant"], p, inv, Decimal("37.00"))
    assert exc.value.field == "invoice_id"


def test_a_reversal_restores_the_previous_state_once_confirmed(app, users):
    inv = invoice(users, qty=10)
    p = receipt(users, inv.order.customer, "185.00")
    row = receivables.allocate(users["assistant"], p, inv, Decimal("185.00"))
    receivables.confirm(users["finance"], row)
    db.session.commit()
    with pytest.raises(DomainError):
        receivables.reverse(users["assistant"], row, "")  # a reason is required
    back = receivables.reverse(users["assistant"], row, "分错发票")
    db.session.commit()
    # until finance confirms the reversal the money stays allocated (never over-allocated meanwhile)
    assert (p.allocated, receivables.invoice_collected(inv.id)) == (Decimal("185.00"), Decimal("185.00"))
    with pytest.raises(DomainError):
        receivables.reverse(users["assistant"], row, "again")
    db.session.rollback()
    receivables.confirm(users["finance"], back)
    db.session.commit()
    assert (p.allocated, receivables.invoice_collected(inv.id), receivables.invoice_open(inv)) == (
        Decimal("0.00"), Decimal("0.00"), inv.amount)
    with pytest.raises(DomainError):
        receivables.reverse(users["assistant"], back, "冲销的冲销")
    db.session.rollback()
    assert [a.amount for a in receivables.allocations(p)] == [Decimal("185.00"), Decimal("-185.00")]
    assert receivables.verify() == []


def test_edits_and_deletes_are_refused(app, users):
    inv = invoice(users, qty=2)
    p = receipt(users, inv.order.customer, "37.00")
    row = receivables.allocate(users["assistant"], p, inv, Decimal("37.00"))
    db.session.commit()
    row.amount = Decimal("1.00")
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    p.amount = Decimal("1.00")
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(PaymentAllocation, row.id))
    with pytest.raises(LedgerIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(LedgerIsAppendOnly):
        db.session.execute(db.update(PaymentAllocation).values(memo="x"))
    db.session.rollback()


def test_verify_finds_a_row_changed_behind_the_apps_back(app, users):
    inv = invoice(users, qty=2)
    p = receipt(users, inv.order.customer, "37.00")
    receivables.allocate(users["assistant"], p, inv, Decimal("30.00"))
    receivables.allocate(users["assistant"], p, inv, Decimal("7.00"))
    db.session.commit()
    assert receivables.verify() == []
    db.session.execute(text("UPDATE payment_allocation SET amount = 3 WHERE seq = 2 AND payment_id = :p"), {"p": p.id})
    db.session.commit()
    problems = receivables.verify()
    assert any("hash mismatch" in x for x in problems) and any("does not match" in x for x in problems)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "incoming.allocation"))


def test_verify_finds_an_invoices_collected_figure_changed(app, users):
    inv = invoice(users, qty=2)
    p = receipt(users, inv.order.customer, "37.00")
    receivables.confirm(users["finance"], receivables.allocate(users["assistant"], p, inv, Decimal("30.00")))
    db.session.commit()
    assert receivables.invoice_collected(inv.id) == Decimal("30.00") and receivables.verify() == []
    db.session.execute(text("UPDATE invoice SET collected = 37 WHERE id = :i"), {"i": inv.id})
    db.session.commit()
    assert receivables.verify() == [f"invoice {inv.number}: collected 37.00 does not match its confirmed allocations 30.00"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["alloc", "confirm", "reverse"]), st.integers(0, 2),
                                st.integers(1, 9000)), min_size=1, max_size=14))
def test_books_balance_over_random_allocation_sequences(app, users, steps):
    """Σ receipts = Σ allocations + credit; each invoice open = amount − allocations; never negative."""
    # Fresh invoices for every example: one example's allocations never leak into the next one's sums.
    invs = [invoice(users, qty=q) for q in (10, 20, 30)]  # 185, 370, 555
    c = invs[0].order.customer
    payments = [receipt(users, c, "500.00"), receipt(users, c, "300.00")]
    rows: list[int] = []
    for action, index, fen in steps:
        try:
            if action == "alloc":
                rows.append(receivables.allocate(users["assistant"], payments[index % 2], invs[index],
                                                 Decimal(fen) / 100).id)
            elif rows and action == "confirm":
                receivables.confirm(users["finance"], db.session.get(PaymentAllocation, rows[index % len(rows)]))
            elif rows:
                rows.append(receivables.reverse(users["assistant"], db.session.get(
                    PaymentAllocation, rows[index % len(rows)]), "更正").id)
            db.session.commit()
        except DomainError:
            db.session.rollback()
    for p in payments:
        db.session.refresh(p)
        got = list(db.session.scalars(select(PaymentAllocation).where(PaymentAllocation.payment_id == p.id)))
        reserved = sum((a.amount for a in got if a.kind == "allocation" or a.confirmed_by_id), Decimal("0"))
        assert Decimal("0") <= p.allocated == reserved <= p.amount
        assert p.amount == reserved + p.unallocated
    for inv in invs:
        got = list(db.session.scalars(select(PaymentAllocation).where(PaymentAllocation.invoice_id == inv.id)))
        confirmed = sum((a.amount for a in got if a.confirmed_by_id), Decimal("0"))
        reserved = sum((a.amount for a in got if a.kind == "allocation" or a.confirmed_by_id), Decimal("0"))
        assert 0 <= confirmed <= reserved <= inv.amount
        assert receivables.invoice_open(inv) == inv.amount - reserved
        assert receivables.invoice_collected(inv.id) == confirmed  # the figure kept on the invoice
    assert receivables.verify() == []
    assert db.session.scalar(select(db.func.count()).select_from(IncomingPayment)) >= 2
