"""The same aggregate queries on PostgreSQL (GROUP BY by output name, CASE month buckets, timestamp bounds)."""

import pytest
from sales_seed import FROZEN, expected, facts, seed_sales

from intranet.extensions import db
from intranet.models import User
from intranet.services import sales_figures as fig
from intranet.services import settings

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("basis", ("entered", "shipped", "invoiced", "collected"))
def test_figures_on_postgresql(pg_app, basis):
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    seed_sales(users, every=5)
    settings.update(users["manager"], {"sales_basis": basis})
    rows = facts(basis)
    for kind in ("week", "ytd"):
        span = fig.period(kind, FROZEN)
        for by in ("rep", "team", "region", "customer"):
            got = {k: (v.amount, v.quantity) for k, v in fig.totals(users["manager"], span, by).items()}
            want = {k: v for k, v in expected(rows, span.start, span.end, by).items() if v[0] or v[1]}
            assert {k: v for k, v in got.items() if v[0] or v[1]} == want
    series = fig.monthly(users["manager"], 2025, "all")
    for month in range(1, 13):
        span = fig.month_period(2025, month)
        assert series.get(0, [0] * 12)[month - 1] == sum(
            (v[0] for v in expected(rows, span.start, span.end, "rep").values()), 0)
    assert fig.summary(users["supervisor1"], fig.period("ytd", FROZEN)).target is None
