"""Period budgets (issue 17, acceptance 4): a claim past rep1's monthly travel budget needs the next
approval level; the budget page's figures equal an independent sum of the claim lines; who may set
and see budgets."""

import re
from decimal import Decimal
from io import BytesIO

import expense_helpers as h
import pytest
from openpyxl import load_workbook

from intranet.extensions import db
from intranet.models import AuditEntry, ExpenseBudget, ExpenseLine
from intranet.services import approvals, expense_budgets, expenses, ledger
from intranet.services.errors import DomainError, Forbidden
from intranet.web.formatting import today_local


def _month() -> str:
    return ledger.period_of(today_local())


def _budget(users, target, amount, category="travel"):
    return expense_budgets.set_budget(users["director"], period=_month(), target=target, category=category,
                                      amount=Decimal(amount))


def _roles(request):
    return [s["role"] or s["approver_kind"] for s in request.steps]


def _committed_travel(user) -> Decimal:
    """rep1's travel this month in pending, approved or paid claims (the demo has some), summed here."""
    lines = db.session.scalars(db.select(ExpenseLine)).all()
    return sum((ln.amount for ln in lines if ln.claim.claimant_id == user.id and ln.category == "travel"
                and ln.claim.status in ("pending", "approved", "paid")
                and f"{ln.spent_on:%Y-%m}" == _month()), Decimal("0.00"))


def test_claim_past_rep1_monthly_travel_budget_needs_the_next_level(users):
    rep1 = users["rep1"]
    base = _committed_travel(rep1)
    assert base > 0  # the demo's approved and pending travel lines count
    _budget(users, f"u{rep1.id}", f"{base + Decimal('643.50')}")
    first = expenses.submit_claim(rep1, h.claim(rep1, "600.00"))
    assert _roles(first) == ["line_manager"]  # base + 600.00: within
    entertainment = expenses.submit_claim(rep1, h.claim(rep1, "500.00", category="entertainment"))
    assert _roles(entertainment) == ["line_manager"]  # another category: not this budget
    doc = h.claim(rep1, "43.51")  # base + 600.00 pending + 43.51: one fen past
    second = expenses.submit_claim(rep1, doc)
    assert _roles(second) == ["line_manager", "manager"]
    assert "超出预算" in second.steps[-1]["note"] and "¥43.50" in second.steps[-1]["note"]
    summary = dict((str(k), v) for k, v in expenses.ExpenseAdapter.summary(approvals.adapter_for("expense"), doc))
    assert "预算剩余 ¥43.50" in summary["期间预算"] and "超出预算" in summary["超预算"]
    # the manager's step is real: the supervisor alone does not finish it
    approvals.decide(users["supervisor1"], second.id, "approve")
    assert second.status == "pending" and second.step["role"] == "manager"
    approvals.decide(users["manager"], second.id, "approve")
    assert doc.status == "approved"
    # above the manager threshold the route already has the manager: over budget adds the director
    big = expenses.submit_claim(rep1, h.claim(rep1, "2000.01"))
    assert _roles(big) == ["line_manager", "manager", "director"]


def test_exactly_at_the_budget_is_not_over_and_resubmission_adds_no_second_step(users):
    rep1 = users["rep1"]
    _budget(users, f"u{rep1.id}", f"{_committed_travel(rep1) + Decimal('1000.00')}")
    doc = h.claim(rep1, "1000.00")
    assert _roles(expenses.submit_claim(rep1, doc)) == ["line_manager"]
    _budget(users, "department", "1000.00", category="all")  # now the department budget is passed
    other = h.claim(rep1, "1.00")
    request = expenses.submit_claim(rep1, other)
    assert _roles(request) == ["line_manager", "manager"]
    expenses.withdraw_claim(rep1, other)
    assert _roles(expenses.submit_claim(rep1, other)) == ["line_manager", "manager"]


def test_only_the_director_sets_budgets_and_changes_are_audited(users):
    rep1 = users["rep1"]
    with pytest.raises(Forbidden):
        expense_budgets.set_budget(users["manager"], period=_month(), target=f"u{rep1.id}", category="travel",
                                   amount=Decimal("1.00"))
    budget = _budget(users, f"u{rep1.id}", "900.00")
    again = _budget(users, f"u{rep1.id}", "950.00")
    assert again.id == budget.id and again.amount == Decimal("950.00")
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "expense_budget.set")
                              .order_by(AuditEntry.id.desc()))
    assert entry.before == {"amount": "900.00"} and entry.after["amount"] == "950.00"
    for bad in ({"target": "u999999"}, {"target": "x"}, {"category": "nope"}, {"period": "2026-13"}):
        args = {"period": _month(), "target": f"u{rep1.id}", "category": "travel", "amount": Decimal("1.00"), **bad}
        with pytest.raises(DomainError):
            expense_budgets.set_budget(users["director"], **args)


def _independent_actual(period: str, covers) -> Decimal:
    lines = db.session.scalars(db.select(ExpenseLine)).all()
    return sum((ln.amount for ln in lines if ln.claim.status in ("approved", "paid")
                and f"{ln.spent_on:%Y-%m}" == period and covers(ln)), Decimal("0.00"))


def _row(html: str, budget_id: int) -> list[str]:
    match = re.search(rf'<tr data-budget="{budget_id}">(.*?)</tr>', html, re.S)
    assert match, f"budget {budget_id} not on the page"
    return re.findall(r'<td class="num[^"]*">(.*?)</td>', match.group(1))


def test_budget_page_figures_equal_an_independent_sum(users, login):
    rep1, month = users["rep1"], _month()
    h.approved_claim(users, "rep1", "120.40", "79.15")
    paid = h.approved_claim(users, "rep2", "33.33")
    expenses.pay_claim(users["assistant"], paid, "petty_cash")
    expenses.submit_claim(rep1, h.claim(rep1, "5000.00"))  # pending: not actual
    mine = _budget(users, f"u{rep1.id}", "2000.00")
    dept = _budget(users, "department", "90000.00", category="all")
    region = _budget(users, f"r{rep1.region_id}", "60000.00", category="all")
    db.session.commit()
    expected = {
        mine.id: _independent_actual(month, lambda ln: ln.claim.claimant_id == rep1.id and ln.category == "travel"),
        dept.id: _independent_actual(month, lambda ln: True),
        region.id: _independent_actual(month, lambda ln: ln.claim.claimant.region_id == rep1.region_id),
    }
    assert expected[mine.id] == Decimal("556.05")
    html = login("manager").get(f"/expenses/budgets?month={month}").get_data(as_text=True)
    for budget in (mine, dept, region):
        amount, actual, remaining = _row(html, budget.id)
        assert actual == f"¥{expected[budget.id]:,.2f}"
        assert remaining == f"¥{budget.amount - expected[budget.id]:,.2f}"
    response = login("director").get(f"/expenses/budgets?month={month}&format=xlsx")
    ws = load_workbook(BytesIO(response.data)).active
    by_actual = {row[1]: (Decimal(str(row[3])), Decimal(str(row[4]))) for row in ws.iter_rows(min_row=2, values_only=True)}
    assert by_actual[expense_budgets.scope_label(mine)] == (Decimal("2000.00"), expected[mine.id])


def test_who_sees_and_sets_budgets_on_the_page(users, login):
    rep1, rep3 = users["rep1"], users["rep3"]
    mine = _budget(users, f"u{rep1.id}", "2000.00")
    far = _budget(users, f"u{rep3.id}", "3000.00")
    db.session.commit()
    month = _month()
    assert login("rep1").get(f"/expenses/budgets?month={month}").status_code == 403
    html = login("supervisor1").get(f"/expenses/budgets?month={month}").get_data(as_text=True)
    assert f'data-budget="{mine.id}"' in html and f'data-budget="{far.id}"' not in html
    assert 'id="budget-form"' not in html
    assert login("manager").post("/expenses/budgets", data={}).status_code == 403
    director = login("director")
    before = db.session.scalar(db.select(db.func.count(ExpenseBudget.id)))
    bad = director.post("/expenses/budgets", data={"period": month, "target": f"u{rep1.id}", "category": "travel",
                                                  "amount": "abc"})
    assert bad.status_code == 200 and "has-error" in bad.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ExpenseBudget.id))) == before
    ok = director.post("/expenses/budgets", data={"period": month, "target": f"u{rep3.id}", "category": "all",
                                                 "amount": "1,234.50"})
    assert ok.status_code == 303
    db.session.expire_all()
    row = db.session.scalar(db.select(ExpenseBudget).where(ExpenseBudget.scope_key == f"u{rep3.id}",
                                                           ExpenseBudget.category == "all"))
    assert row.amount == Decimal("1234.50")
    assert director.post(f"/expenses/budgets/{row.id}/delete", data={"month": month}).status_code == 303
    db.session.expire_all()
    assert db.session.get(ExpenseBudget, row.id) is None
