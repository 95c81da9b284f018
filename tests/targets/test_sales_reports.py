"""The sales reports of the report center (SPEC 2.11 through SPEC 2.7's queue): the per-rep sales report
and the best sellers, for a month and a week, on two bases — every row, the ranking, the achievement
and the year-on-year growth of the Excel file equal an independent computation over the seeded rows;
the scheduled run mails the subscribers the sales figures as well as the activity summary."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sales_seed import expected, facts, seed_sales
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import Email, Product, ReportRun, User
from intranet.models.targets import SalesTarget, SalesTargetLine
from intranet.services import daily_report, reports, settings

PERIODS = {"2026-10": (date(2026, 10, 1), date(2026, 10, 31)), "2026-W45": (date(2026, 11, 2), date(2026, 11, 8))}


@pytest.fixture
def seeded(users):
    assert seed_sales(users) > 200
    target = SalesTarget(year=2026, amount=Decimal("0.00"), status="approved", created_by=users["manager"])
    for n in range(1, 5):
        rep = users[f"rep{n}"]
        target.lines += [SalesTargetLine(rep_id=rep.id, team_id=rep.team_id, month=m, amount=Decimal(30000 + 500 * n))
                         for m in range(1, 13)]
    target.amount = sum(line.amount for line in target.lines)
    db.session.add(target)
    db.session.commit()
    return users


def _sheet(run):
    ws = load_workbook(BytesIO(run.xlsx)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    return ws, values[1], values[2:-1], values[-1]


def _compute(kind, period, **scope):
    run = ReportRun(kind=kind, period=period, status="queued", **scope)
    db.session.add(run)
    db.session.flush()
    reports.compute(run)
    db.session.commit()
    return run


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _last_year(day: date) -> date:
    return day.replace(year=day.year - 1)


@pytest.mark.parametrize("basis", ["entered", "invoiced"])
@pytest.mark.parametrize("period", list(PERIODS))
def test_sales_per_rep_equal_an_independent_computation(seeded, basis, period):
    settings.update(seeded["manager"], {"sales_basis": basis})
    first, last = PERIODS[period]
    rows = facts(basis)
    now, before = expected(rows, first, last, "rep"), expected(rows, _last_year(first), _last_year(last), "rep")
    run = _compute("sales", period)
    ws, headers, data, total = _sheet(run)
    assert "销售口径" in ws["A1"].value and run.result["basis"] == basis
    reps = {u.name: u for u in db.session.scalars(select(User).where(User.role == "rep"))}
    by_name = {row[headers.index("业务员")]: dict(zip(headers, row, strict=True)) for row in data}
    assert set(by_name) == set(reps)
    amounts = sorted((now.get(u.id, (Decimal("0.00"), 0))[0] for u in reps.values()), reverse=True)
    for name, row in by_name.items():
        rep = reps[name]
        amount, quantity = now.get(rep.id, (Decimal("0.00"), 0))
        previous = before.get(rep.id, (Decimal("0.00"), 0))[0]
        goal = Decimal(30000 + 500 * int(rep.username[3:])) if period == "2026-10" and rep.username[3:].isdigit() \
            and int(rep.username[3:]) <= 4 else Decimal("0.00")
        got = (_money(row["销售额"]), row["数量"], _money(row["目标"]), _money(row["去年同期"]))
        assert got == (amount, quantity, goal, previous), name
        assert row["排名"] == amounts.index(amount) + 1
        assert row["达成率"] == (pytest.approx(float(round(amount / goal, 4))) if goal else None)
        assert row["同比增长"] == (pytest.approx(float(round(amount / previous, 4) - 1)) if previous else None)
    assert _money(total[headers.index("销售额")]) == sum((v[0] for k, v in now.items() if k in {u.id for u in reps.values()}),
                                                 Decimal("0.00"))
    assert total[headers.index("排名")] in ("", None)


def test_a_team_run_holds_only_that_team_and_best_sellers_add_up(seeded):
    team_id = seeded["rep1"].team_id
    run = _compute("sales", "2026-10", team_id=team_id)
    _ws, headers, data, _total = _sheet(run)
    team = {u.name for u in db.session.scalars(select(User).where(User.role == "rep", User.team_id == team_id))}
    assert {row[headers.index("业务员")] for row in data} == team

    settings.update(seeded["manager"], {"sales_basis": "shipped"})
    first, last = PERIODS["2026-10"]
    now = expected(facts("shipped"), first, last, "product")
    names = dict(db.session.execute(select(Product.id, Product.name)).all())
    run = _compute("sales_products", "2026-10")
    _ws, headers, data, total = _sheet(run)
    got = {row[0]: (_money(row[headers.index("销售额")]), row[headers.index("数量")]) for row in data
           if row[headers.index("数量")]}
    assert got == {names[pid]: v for pid, v in now.items() if v[1]}
    amounts = [row[headers.index("销售额")] for row in data]
    assert amounts == sorted(amounts, reverse=True)
    assert _money(total[headers.index("销售额")]) == sum((v[0] for v in now.values()), Decimal("0.00"))


def test_the_scheduled_month_mails_the_sales_report_to_the_subscribers(seeded):
    daily_report.add_subscription(seeded["manager"], "monthly", "board@corp.example", "董事会")
    runs = reports.schedule_monthly()
    assert {r.kind for r in runs} == {"monthly", "sales", "collections"}
    assert reports.schedule_monthly() == []  # a second tick requests nothing
    for run in runs:
        reports.compute(run)
        reports.mail_subscribers(run)
    db.session.commit()
    subjects = {e.subject for e in db.session.scalars(select(Email).where(Email.key.startswith("sales-report:")))}
    assert subjects == {"2026-10 月度销售业绩报表"}
    mail = db.session.scalar(select(Email).where(Email.key.startswith("sales-report:")))
    assert mail.to_addr == "board@corp.example" and "销售额" in mail.body and "销售口径" in mail.body and f"/reports/{[r for r in runs if r.kind == 'sales'][0].id}" in mail.body
