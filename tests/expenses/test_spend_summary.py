"""The spend summary (services/spend_summary.py) that the desks' spend card reads: after a realistic run of
claims and petty cash on the demo data its figures equal the old grouping over the source rows, the
incremental path leaves the same table as a rebuild from scratch, and on PostgreSQL two transactions
adding to the same row both count."""

import threading
import time
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import expense_helpers as h
import pytest
from sqlalchemy import func, select

from intranet.extensions import db
from intranet.models import ExpenseClaim, ExpenseLine, LedgerEntry, PettyCashAccount, SpendMonthTotal, User
from intranet.models.expenses import APPROVED, PAID
from intranet.models.ledger import DISBURSEMENT
from intranet.models.sql import date_month, money_sum
from intranet.services import approvals, expense_reports, expenses, ledger, spend_summary
from intranet.services.expenses import ALL_SEEING, scoped
from intranet.web.formatting import today_local

READERS = ("manager", "director", "gm", "assistant", "finance", "supervisor1", "rep1", "rep2")


def _old_desk(user: User, months: list[str]) -> dict:
    """The card as it was computed before the summary: groupings over the lines and the ledger."""
    first, last = ledger.period_bounds(months[0])[0], ledger.period_bounds(months[-1])[1]
    claims = scoped(select(ExpenseClaim.id), ExpenseClaim.claimant_id, user).where(
        ExpenseClaim.status.in_((APPROVED, PAID)))
    month = date_month(ExpenseLine.spent_on)
    month_category, by_person = defaultdict(Decimal), defaultdict(Decimal)
    for name, category, in_month, amount in db.session.execute(
            select(User.name, ExpenseLine.category, month, money_sum(ExpenseLine.amount))
            .join(ExpenseClaim, ExpenseLine.claim_id == ExpenseClaim.id).join(User, ExpenseClaim.claimant_id == User.id)
            .where(ExpenseLine.claim_id.in_(claims), ExpenseLine.spent_on >= first, ExpenseLine.spent_on <= last)
            .group_by(User.id, User.name, ExpenseLine.category, month)):
        month_category[(in_month, category)] += amount
        by_person[name] += amount
    if user.role in ALL_SEEING:
        reversed_ = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
        for name, category, period, amount in db.session.execute(
                select(User.name, LedgerEntry.category, LedgerEntry.period, money_sum(LedgerEntry.amount))
                .join(PettyCashAccount, LedgerEntry.account_id == PettyCashAccount.id)
                .join(User, PettyCashAccount.custodian_id == User.id)
                .where(LedgerEntry.kind == DISBURSEMENT, LedgerEntry.period.in_(months),
                       LedgerEntry.id.not_in(reversed_))
                .group_by(User.id, User.name, LedgerEntry.category, LedgerEntry.period)):
            month_category[(period, category or "other")] -= amount
            by_person[name] -= amount
    return {"month_category": {k: v for k, v in month_category.items() if v},
            "by_person": {k: v for k, v in by_person.items() if v},
            "total": sum(month_category.values(), Decimal("0.00"))}


def _table() -> dict:
    return {(r.month, r.person_id, r.category, r.source): r.cents
            for r in db.session.scalars(select(SpendMonthTotal)) if r.cents}


def _check_all(users, months) -> None:
    db.session.flush()
    for who in READERS:
        card, old = expense_reports.desk_spend(users[who], months), _old_desk(users[who], months)
        assert dict(card.month_category) == old["month_category"], who
        assert dict(card.by_person) == old["by_person"], who
        assert card.total == old["total"], who
        assert dict(card.by_month) == {m: sum((v for (mm, _), v in old["month_category"].items() if mm == m),
                                              Decimal("0.00")) for m in {m for m, _ in old["month_category"]}}


def _run(users) -> None:
    months = expense_reports.last_months(6)
    before = _old_desk(users["manager"], months)["total"]
    assert before > 0, "the demo history has spend in the last six months"
    _check_all(users, months)
    last_month_day = today_local().replace(day=1) - timedelta(days=3)

    # submitted: not yet spend
    pending = h.claim(users["rep1"], "120.35", "0.07", category="entertainment", day=last_month_day)
    request = expenses.submit_claim(users["rep1"], pending)
    _check_all(users, months)
    assert _old_desk(users["manager"], months)["total"] == before
    # approved through every step: spend
    h.approve_through(request)
    assert pending.status == "approved"
    _check_all(users, months)
    assert _old_desk(users["manager"], months)["total"] == before + Decimal("120.42")
    # rejected: never spend
    refused = h.claim(users["rep2"], "999.99", category="travel")
    refused_request = expenses.submit_claim(users["rep2"], refused)
    approvals.decide(approvals.holders(refused_request)[0], refused_request.id, "reject", "不符合规定")
    assert refused.status == "rejected"
    _check_all(users, months)
    # paid: still spend, once
    paid = h.approved_claim(users, "rep1", "300.00", "86.51")
    expenses.pay_claim(users["assistant"], paid, "petty_cash")
    assert paid.status == "paid"
    _check_all(users, months)
    # petty cash: a disbursement counts, a reversed one does not
    assistant = users["assistant"]
    box = ledger.find_account(assistant)
    ledger.disburse(assistant, box, Decimal("17.31"), "courier", "顺丰")
    wrong = ledger.disburse(assistant, box, Decimal("500.00"), "print_card", "打错了")
    _check_all(users, months)
    ledger.reverse(assistant, wrong, "金额录错")
    _check_all(users, months)
    # a claim leaving the approved set (any path that changes the status) takes its lines out again
    pending.status = "returned"
    _check_all(users, months)
    db.session.commit()

    incremental = _table()
    assert spend_summary.rebuild() == len(incremental)
    assert _table() == incremental
    _check_all(users, months)
    # the summary is small: one row per month, person, category and source
    lines = db.session.scalar(select(func.count()).select_from(ExpenseLine))
    assert 0 < len(incremental) < lines


def test_summary_on_sqlite(app, users):
    _run(users)


@pytest.mark.postgres
def test_summary_on_postgresql(pg_app):
    _run({u.username: u for u in db.session.scalars(db.select(User))})


def _race(pg_app, key, first_cents: int, second_cents: int) -> None:
    """Two transactions add to the same row; the second starts while the first holds it uncommitted."""
    first_added, errors = threading.Event(), []

    def first() -> None:
        with pg_app.app_context():
            try:
                spend_summary.add(db.session, {key: first_cents})
                first_added.set()
                time.sleep(0.5)  # the second is now waiting on this row (a sleep: see tests/conftest.py on faketime)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 — reported by the assertion below
                errors.append(exc)
                first_added.set()
            finally:
                db.session.remove()

    def second() -> None:
        with pg_app.app_context():
            try:
                first_added.wait(30)
                spend_summary.add(db.session, {key: second_cents})
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 — reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors


@pytest.mark.postgres
def test_concurrent_increments_of_one_row_both_count(pg_app):
    """The second transaction waits on the first's row (the unique key), then adds to it: none is lost,
    whether the row is new to both or already there."""
    person = db.session.scalar(select(User.id).where(User.username == "rep1"))
    key = ("1999-01", person, "courier", spend_summary.CLAIM)

    def cents() -> int:
        db.session.expire_all()
        return db.session.scalar(select(SpendMonthTotal.cents).where(
            SpendMonthTotal.month == key[0], SpendMonthTotal.person_id == person,
            SpendMonthTotal.category == key[2], SpendMonthTotal.source == key[3])) or 0

    db.session.commit()
    for first_cents, second_cents in ((1234, 5), (7, 100)):  # the first round inserts, the second updates
        start = cents()
        db.session.commit()
        _race(pg_app, key, first_cents, second_cents)
        assert cents() == start + first_cents + second_cents
