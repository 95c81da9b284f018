"""Every figure of services/sales_figures.py against an independent computation over the seeded rows:
a year of orders plus the previous year, at the frozen date, on each of the four bases."""

from datetime import date
from decimal import Decimal

import pytest
from sales_seed import FROZEN, expected, facts, seed_sales
from sqlalchemy import select

from intranet.extensions import db
from intranet.models.targets import SalesTarget, SalesTargetLine
from intranet.services import sales_figures as fig
from intranet.services import settings

BASES = ("entered", "shipped", "invoiced", "collected")


@pytest.fixture
def seeded(users):
    assert seed_sales(users) > 200
    db.session.commit()
    return users


def _as_pairs(result: dict) -> dict:
    return {k: (v.amount, v.quantity) for k, v in result.items() if v.amount or v.quantity}


def _nonzero(result: dict) -> dict:
    return {k: v for k, v in result.items() if v[0] or v[1]}


def _use(users, basis):
    settings.update(users["manager"], {"sales_basis": basis})
    assert fig.basis() == basis


@pytest.mark.parametrize("basis", BASES)
def test_per_rep_team_region_product_for_day_week_month_year_and_last_year(seeded, basis):
    _use(seeded, basis)
    rows = facts(basis)
    assert rows
    manager = seeded["manager"]
    for kind in fig.PERIOD_KINDS:
        span = fig.period(kind, FROZEN)
        for when in (span, span.previous_year()):
            for by in ("rep", "team", "region", "product", "customer"):
                if basis == "collected" and by == "product":
                    assert fig.totals(manager, when, by) == {}
                    continue
                assert _as_pairs(fig.totals(manager, when, by)) == _nonzero(expected(rows, when.start, when.end, by)), \
                    (basis, kind, when, by)
    week = fig.period("week", FROZEN)
    assert (week.start, week.end) == (date(2026, 11, 16), FROZEN)
    assert fig.period("ytd", FROZEN).previous_year().start == date(2025, 1, 1)


@pytest.mark.parametrize("basis", ("entered", "invoiced"))
def test_monthly_series_per_rep_equal_the_sum_of_each_month(seeded, basis):
    _use(seeded, basis)
    rows = facts(basis)
    series = fig.monthly(seeded["manager"], 2025, "rep")
    for month in range(1, 13):
        span = fig.month_period(2025, month)
        want = _nonzero(expected(rows, span.start, span.end, "rep"))
        got = {k: v[month - 1] for k, v in series.items() if v[month - 1]}
        assert got == {k: v[0] for k, v in want.items() if v[0]}, month


def _approved_target(users, year=2026):
    reps = [users[f"rep{i}"] for i in range(1, 5)]
    target = SalesTarget(year=year, amount=Decimal("0.00"), status="approved", created_by=users["manager"])
    cells = {}
    for n, rep in enumerate(reps):
        for month in range(1, 13):
            cells[(rep.id, month)] = Decimal(20000 + 1000 * n + 37 * month)
            target.lines.append(SalesTargetLine(rep_id=rep.id, team_id=rep.team_id, month=month,
                                                amount=cells[(rep.id, month)]))
    target.amount = sum(cells.values())
    db.session.add(target)
    db.session.flush()
    return cells


def test_achievement_year_on_year_and_ranking_per_rep(seeded):
    _use(seeded, "shipped")
    cells = _approved_target(seeded)
    rows = facts("shipped")
    span = fig.period("ytd", FROZEN)
    now = expected(rows, span.start, span.end, "rep")
    before = expected(rows, date(2025, 1, 1), date(2025, 11, 18), "rep")
    got = {r.key: r for r in fig.rep_rows(seeded["manager"], span)}
    for i in range(1, 5):
        rep = seeded[f"rep{i}"]
        row = got[rep.id]
        goal = sum(cells[(rep.id, m)] for m in range(1, 12))
        assert row.amount == now[rep.id][0] and row.target == goal and row.previous == before[rep.id][0]
        assert row.achievement == (now[rep.id][0] * 100 / goal).quantize(Decimal("0.1"))
        assert row.yoy == ((now[rep.id][0] - before[rep.id][0]) * 100 / before[rep.id][0]).quantize(Decimal("0.1"))
    order = sorted(now, key=lambda k: -now[k][0])
    assert [r.key for r in fig.rep_rows(seeded["manager"], span)] == order
    assert [r.rank for r in fig.rep_rows(seeded["manager"], span)] == [1, 2, 3, 4]
    # teams: their reps' targets for the month
    month = fig.period("month", FROZEN)
    teams = {r.key: r for r in fig.team_rows(seeded["manager"], month)}
    team_of = {seeded[f"rep{i}"].id: seeded[f"rep{i}"].team_id for i in range(1, 5)}
    for team_id, row in teams.items():
        assert row.target == sum(v for (rep_id, m), v in cells.items() if m == 11 and team_of[rep_id] == team_id)
    total = fig.summary(seeded["manager"], month)
    assert total.target == sum(v for (_, m), v in cells.items() if m == 11)
    assert total.amount == sum(v[0] for v in expected(rows, month.start, month.end, "rep").values())


def test_no_target_before_approval(seeded):
    cells = _approved_target(seeded)
    db.session.scalar(select(SalesTarget)).status = "submitted"
    db.session.flush()
    assert cells and fig.summary(seeded["manager"], fig.period("ytd", FROZEN)).target is None


def test_best_sellers_and_key_accounts_abc(seeded):
    _use(seeded, "invoiced")
    rows = facts("invoiced")
    span = fig.period("ytd", FROZEN)
    products = expected(rows, span.start, span.end, "product")
    best = fig.product_rows(seeded["manager"], span, limit=3)
    assert [(r.key, r.amount, r.quantity) for r in best] == sorted(
        ((k, v[0], v[1]) for k, v in products.items()), key=lambda t: -t[1])[:3]
    customers = sorted(expected(rows, span.start, span.end, "customer").items(), key=lambda kv: -kv[1][0])
    whole, running, want = sum(v[0] for _, v in customers), Decimal(0), {}
    for key, (amount, _) in customers:
        want[key] = "A" if running < whole * Decimal("0.8") else "B" if running < whole * Decimal("0.95") else "C"
        running += amount
    got = {r.key: r.abc for r in fig.customer_rows(seeded["manager"], span)}
    assert got == want
    keys = fig.key_accounts(seeded["manager"], span)
    assert {r.key for r in keys} == {k for k, c in want.items() if c == "A"}
    assert sum(r.amount for r in keys) >= whole * Decimal("0.8")
    assert sum(r.amount for r in keys[:-1]) < whole * Decimal("0.8")


@pytest.mark.parametrize("basis", ("entered", "collected"))
def test_each_reader_sees_only_their_scope(seeded, basis):
    _use(seeded, basis)
    span = fig.period("ytd", FROZEN)
    rep1, rep2 = seeded["rep1"].id, seeded["rep2"].id
    assert set(fig.totals(seeded["rep1"], span, "rep")) == {rep1}
    assert set(fig.totals(seeded["supervisor1"], span, "rep")) == {rep1, rep2}
    assert len(fig.totals(seeded["finance"], span, "rep")) == 4
    rows = facts(basis)
    own = [r for r in rows if r[1] == rep1]
    assert _as_pairs(fig.totals(seeded["rep1"], span, "customer")) == _nonzero(
        expected(own, span.start, span.end, "customer"))
    assert [r.key for r in fig.rep_rows(seeded["rep1"], span)] == [rep1]
    assert {r.key for r in fig.rep_rows(seeded["supervisor2"], span)} == {seeded["rep3"].id, seeded["rep4"].id}
