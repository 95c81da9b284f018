"""Scale data (`flask seed-scale`, intranet/scale_data.py): a small department builds with the counts its
parameters promise, every chain still verifies, a second run adds nothing, and the demo accounts still log
in and see their desks."""

from sqlalchemy import func, select

from intranet.cli import seed_scale_command
from intranet.extensions import db
from intranet.models import (
    AuditEntry,
    Customer,
    ExpenseLine,
    LedgerEntry,
    PettyCashAccount,
    ReturnRequest,
    User,
)
from intranet.models.receivables import IncomingPayment
from intranet.scale_data import build
from intranet.services import audit, ledger, receivables


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_small_department_builds_verifies_and_keeps_the_demo_desks(app, login):
    before = {m: _count(m) for m in (User, Customer, AuditEntry)}
    counts = build(staff=10, years=1, customers_per_person=5)
    db.session.commit()
    # one team of ten (a supervisor, nine reps) and one assistant with a cash box
    assert counts["user"] == 11 and _count(User) == before[User] + 11
    assert counts["customer"] == 50 and _count(Customer) == before[Customer] + 50
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username.like("sc_%"))) == 11
    # twelve or thirteen months of claims of eight lines for nine reps; one ledger per box
    assert 9 * 12 * 8 <= counts["expense_line"] <= 9 * 13 * 8 == 936
    assert _count(ExpenseLine) >= counts["expense_line"]
    assert counts["ledger_entry"] > counts["expense_claim"] / 2
    assert counts["return_request"] > 0 and counts["invoice"] > 0 and counts["payment_allocation"] > 0
    assert _count(AuditEntry) == before[AuditEntry] + counts["audit_entry"]
    box = db.session.scalar(select(PettyCashAccount).join(User, PettyCashAccount.custodian_id == User.id)
                            .where(User.username == "sc_asst1"))
    last = db.session.scalar(select(LedgerEntry).where(LedgerEntry.account_id == box.id)
                             .order_by(LedgerEntry.seq.desc()).limit(1))
    assert box.balance == last.balance and box.entry_count == last.seq
    # every chain verifies, as `flask audit-verify` checks them
    assert audit.verify() is None
    assert ledger.verify() == []
    assert receivables.verify() == []
    assert _count(IncomingPayment) > 0 and _count(ReturnRequest) >= counts["return_request"]
    # a second run adds nothing
    assert build(staff=10, years=1, customers_per_person=5) == {}
    db.session.commit()
    # the demo accounts log in and see their desks; a scale rep too
    for username, desk in (("manager", "/manager/"), ("director", "/director/"), ("gm", "/gm/"),
                           ("assistant", "/assistant/"), ("finance", "/finance/"), ("supervisor1", "/supervisor/"),
                           ("rep1", "/rep/"), ("sc_t01_r1", "/rep/"), ("sc_t01_sup", "/supervisor/")):
        assert login(username).get(desk).status_code == 200, username
    # the scale box's month statement adds up
    st = ledger.statement(box, last.period)
    assert st.closing == last.balance


def test_seed_scale_command_reports_counts_then_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(seed_scale_command, ["--staff", "10", "--years", "0.25", "--customers-per-person", "3"])
    assert first.exit_code == 0, first.output
    assert "customer 30" in first.output
    second = runner.invoke(seed_scale_command, ["--staff", "10", "--years", "0.25"])
    assert second.exit_code == 0 and "already present" in second.output
