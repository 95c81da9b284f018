"""The spend report groups and sums in the database; its figures equal an independent sum of the
rows, on SQLite and on PostgreSQL (the two spell the month and the sum differently: models/sql.py)."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import expense_helpers as h
import pytest

from intranet.extensions import db
from intranet.models import ExpenseClaim, ExpenseLine, LedgerEntry, User
from intranet.models.ledger import DISBURSEMENT
from intranet.services import expense_reports, expenses, ledger
from intranet.web.formatting import today_local

# Odd cents that a double would add up wrongly if the database summed them as floats.
AMOUNTS = ["0.10", "0.20", "1234.57", "99999.99", "0.07", "333.33", "12.05"]


def _build(users) -> None:
    first_this = today_local().replace(day=1)
    last_month_day = first_this - timedelta(days=3)
    for i, who in enumerate(("rep1", "rep2", "rep3", "rep4")):
        for j, day in enumerate((today_local(), last_month_day)):
            doc = h.claim(users[who], *AMOUNTS[i + j:i + j + 3], title=f"报销{i}{j}", day=day,
                          category=("travel", "entertainment", "other")[(i + j) % 3])
            request = expenses.submit_claim(users[who], doc)
            h.approve_through(request)
    assistant = users["assistant"]
    box = ledger.find_account(assistant)
    kept = ledger.disburse(assistant, box, Decimal("17.31"), "courier", "顺丰")
    wrong = ledger.disburse(assistant, box, Decimal("500.00"), "print_card", "打错了")
    ledger.reverse(assistant, wrong, "金额录错")
    assert kept.id
    db.session.commit()


def _independent(months: list[str]) -> dict:
    """The old way: every row loaded and added up in Python with Decimal."""
    by_person, by_month, total = defaultdict(Decimal), defaultdict(Decimal), Decimal("0.00")
    for line in db.session.scalars(db.select(ExpenseLine)):
        claim = db.session.get(ExpenseClaim, line.claim_id)
        month = f"{line.spent_on:%Y-%m}"
        if claim.status in ("approved", "paid") and month in months:
            by_person[claim.claimant.name] += line.amount
            by_month[month] += line.amount
            total += line.amount
    entries = list(db.session.scalars(db.select(LedgerEntry)))
    reversed_ = {e.reverses_id for e in entries if e.reverses_id}
    for e in entries:
        if e.kind == DISBURSEMENT and e.period in months and e.id not in reversed_:
            by_person[e.account.custodian.name] -= e.amount
            by_month[e.period] -= e.amount
            total -= e.amount
    return {"by_person": dict(by_person), "by_month": dict(by_month), "total": total}


def _check(users) -> None:
    _build(users)
    months = expense_reports.last_months(6)
    figures = expense_reports.spend(users["manager"], months)
    expected = _independent(months)
    assert figures.total == expected["total"] and figures.total > 0
    assert dict(figures.by_person) == expected["by_person"]
    assert {m: v for m, v in figures.by_month.items()} == expected["by_month"]
    assert all(isinstance(v, Decimal) and v == v.quantize(Decimal("0.01")) for v in figures.by_category.values())
    # a supervisor's figures are their team's only
    team = expense_reports.spend(users["supervisor1"], months)
    team_names = {u.name for u in users.values() if u.reports_to_id == users["supervisor1"].id}
    assert set(team.by_person) <= team_names | {users["supervisor1"].name}
    # the desks' card (three small groupings) says what the report says, for every reader
    for who in ("manager", "director", "supervisor1", "rep1"):
        report, card = expense_reports.spend(users[who], months), expense_reports.desk_spend(users[who], months)
        for name in ("by_person", "by_category", "by_month", "month_category"):
            assert dict(getattr(card, name)) == dict(getattr(report, name)), (who, name)
        assert card.total == report.total
        assert expense_reports.chart_data(card) == expense_reports.chart_data(report)


def test_spend_on_sqlite(app, users):
    _check(users)


@pytest.mark.postgres
def test_spend_on_postgresql(pg_app):
    _check({u.username: u for u in db.session.scalars(db.select(User))})
