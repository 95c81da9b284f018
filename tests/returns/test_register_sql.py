"""The register's month filter and the desks' chart are computed in the database; they equal an
independent grouping of the rows by Shanghai month, on SQLite and PostgreSQL, at month boundaries."""

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from intranet.clock import SHANGHAI
from intranet.extensions import db
from intranet.models import Product, ReturnRequest, User
from intranet.services import approvals
from intranet.services import returns as svc

# UTC instants around Shanghai month ends: 15:59 UTC on the 31st is still October in Shanghai,
# 16:00 UTC is 1 November 00:00 there.
SIGNED_AT = [datetime(2026, 10, 31, 15, 59, tzinfo=UTC), datetime(2026, 10, 31, 16, 0, tzinfo=UTC),
             datetime(2026, 9, 30, 16, 30, tzinfo=UTC), datetime(2026, 11, 17, 2, 0, tzinfo=UTC),
             datetime(2026, 5, 31, 23, 0, tzinfo=UTC)]
PRICES = ["1350.05", "0.10", "0.20", "28600.00", "99.99"]


def _signed_returns(users) -> list[ReturnRequest]:
    product = db.session.scalar(select(Product).where(Product.code == "RO-500"))
    docs = []
    for at, price in zip(SIGNED_AT, PRICES, strict=True):
        doc = svc.create(users["rep1"], {"customer_name": "测试客户", "order_ref": "XS-1", "reason": "quality",
                                         "cost_split": "我司承担"}, [svc.LineInput(product.id, 3, Decimal(price))])
        svc.save_complaint(users["assistant"], doc, {"product_id": product.id, "defect": "异响",
                                                     "customer_demand": "退货", "proposed_handling": "同意"})
        svc.submit(users["rep1"], doc)
        req = svc.approval_request(doc)
        for name in ("supervisor1", "director", "gm"):
            approvals.decide(users[name], req.id, "approve", "同意")
        doc.signed_at = at
        docs.append(doc)
    db.session.commit()
    return docs


def _check(users) -> None:
    mine = {d.id for d in _signed_returns(users)}
    months = svc.last_months(12)
    expected_amount, expected_count = defaultdict(Decimal), defaultdict(int)
    everyone = [d for d in db.session.scalars(select(ReturnRequest)) if d.status in svc.TRACKING]
    for d in everyone:
        month = d.signed_at.astimezone(SHANGHAI).strftime("%Y-%m")
        if months[0] <= month <= months[-1]:
            expected_amount[month] += d.total_amount
            expected_count[month] += 1
    figures = svc.monthly_totals(users["director"], months)
    assert {g["key"]: g["amount"] for g in figures["month"]} == dict(expected_amount)
    assert {g["key"]: g["count"] for g in figures["month"]} == dict(expected_count)
    assert figures["total"] == sum(expected_amount.values())
    assert expected_count["2026-10"] >= 1 and expected_count["2026-11"] >= 2  # the boundary pair split
    october = {d.id for d in svc.register_rows(users["director"], "2026-10", "2026-10")} & mine
    assert october == {d.id for d in everyone
                       if d.id in mine and d.signed_at.astimezone(SHANGHAI).strftime("%Y-%m") == "2026-10"}
    assert len(october) == 2  # 31 Oct 23:59 and 1 Oct 00:30 in Shanghai, not 1 Nov 00:00
    # rep2 sees none of rep1's
    assert not {d.id for d in svc.register_rows(users["rep2"], "2026-01", "2026-12")} & mine
    assert svc.monthly_totals(users["rep2"], months)["total"] < figures["total"]


def test_register_by_month_on_sqlite(app, users):
    _check(users)


@pytest.mark.postgres
def test_register_by_month_on_postgresql(pg_app):
    _check({u.username: u for u in db.session.scalars(select(User))})


def test_register_totals_in_sql_equal_the_rows_summed(app, users):
    """The register page's summary (grouped in the database) equals the Excel's (summed from the rows)."""
    _signed_returns(users)
    for who, start, end in (("director", "2026-01", "2026-12"), ("director", "2026-10", "2026-10"),
                            ("rep1", "2026-01", "2026-12"), ("finance", None, None)):
        rows = svc.register_rows(users[who], start, end)
        expected = svc.register_summary(rows)
        got = svc.register_totals(users[who], start, end)
        assert got["count"] == expected["count"] == len(rows)
        assert got["total"] == expected["total"] and got["refunded"] == expected["refunded"]
        for key in ("month", "reason", "customer", "rep", "product"):
            assert sorted(got[key], key=str) == sorted(expected[key], key=str), (who, key)
    assert svc.register_totals(users["director"], "2026-01", "2026-12")["count"] >= 5


def test_the_page_keeps_the_largest_customers_and_reps_and_sums_the_others(app, users):
    """With `top` the page's customer and rep tables hold the largest groups; the 其余 row holds the rest,
    so that shown + others equals the whole register (checked against the rows summed in Python)."""
    _check_top(users)


@pytest.mark.postgres
def test_the_largest_customers_on_postgresql(pg_app):
    _check_top({u.username: u for u in db.session.scalars(select(User))})


def _check_top(users):
    _signed_returns(users)
    rows = svc.register_rows(users["director"], "2026-01", "2026-12")
    expected = svc.register_summary(rows)
    got = svc.register_totals(users["director"], "2026-01", "2026-12", top=1)
    for key in ("customer", "rep"):
        everyone = sorted(expected[key], key=lambda g: (-g["amount"], g["key"]))
        assert len(everyone) >= 2, key  # the seed has more than one of each: something is left out
        assert got[key] == everyone[:1], key
        rest = everyone[1:]
        assert got["others"][key] == {"groups": len(rest), "count": sum(g["count"] for g in rest),
                                      "amount": sum(g["amount"] for g in rest), "refunded": sum(g["refunded"] for g in rest)}
    assert svc.register_totals(users["director"], "2026-01", "2026-12")["others"]["customer"]["groups"] == 0
