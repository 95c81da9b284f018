"""Regional forecasts (月度/季度/年度预测): a supervisor files for their own region only, before the period
ends; filing again replaces the amount and the audit trail keeps the old one; the actual beside each
forecast equals an independent sum of the region's sales in the period so far; reps see nothing."""

from datetime import date
from decimal import Decimal

import pytest
from sales_seed import FROZEN, expected, facts, seed_sales
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import AuditEntry, Region, SalesForecast
from intranet.services import forecasts
from intranet.services.errors import DomainError, Forbidden


def _region(name):
    return db.session.scalar(select(Region).where(Region.name == name))


@pytest.mark.parametrize(("text", "kind", "first", "last"), [
    ("2026-12", "month", date(2026, 12, 1), date(2026, 12, 31)),
    ("2026-q4", "quarter", date(2026, 10, 1), date(2026, 12, 31)),
    ("２０２７", "year", date(2027, 1, 1), date(2027, 12, 31)),
])
def test_periods_parse_to_their_days(text, kind, first, last):
    import unicodedata

    period = forecasts.parse_period(unicodedata.normalize("NFKC", text))
    assert (period.kind, period.first, period.last) == (kind, first, last)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "下个月", "26-12", ""])
def test_bad_periods_are_refused(text):
    with pytest.raises(DomainError, match="期间格式"):
        forecasts.parse_period(text)


def test_who_files_for_which_region_and_when(users):
    east, south = _region("华东区"), _region("华南区")
    sup = users["supervisor1"]
    assert [r.name for r in forecasts.regions_for(sup)] == ["华东区"]
    with pytest.raises(DomainError, match="负责的区域"):
        forecasts.file_forecast(sup, south, "2026-12", Decimal("100000"))
    with pytest.raises(Forbidden):
        forecasts.file_forecast(users["rep1"], east, "2026-12", Decimal("100000"))
    with pytest.raises(DomainError, match="已结束"):
        forecasts.file_forecast(sup, east, "2026-10", Decimal("100000"))  # the clock is at 2026-11-18
    first = forecasts.file_forecast(sup, east, "2026-Q4", Decimal("300000"), "年底冲量")
    again = forecasts.file_forecast(sup, east, "2026-Q4", Decimal("280000.50"))
    db.session.commit()
    assert first.id == again.id and again.amount == Decimal("280000.50")
    assert db.session.scalar(select(db.func.count(SalesForecast.id))) == 1
    trail = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "forecast.file")
                                    .order_by(AuditEntry.id)))
    assert [t.before for t in trail][1]["amount"] == "300000.00"
    forecasts.file_forecast(users["manager"], south, "2026", Decimal("2000000"))  # a leader: any region
    db.session.commit()
    assert [r.forecast.period for r in forecasts.rows(sup, 2026)] == ["2026-Q4"]  # own region only
    assert len(forecasts.rows(users["gm"], 2026)) == 2 and forecasts.rows(users["rep1"], 2026) == []


def test_actual_beside_each_forecast_equals_an_independent_sum(users):
    seed_sales(users)
    east, south = _region("华东区"), _region("华南区")
    for region in (east, south):
        forecasts.file_forecast(users["manager"], region, "2026-11", Decimal("50000"))
        forecasts.file_forecast(users["manager"], region, "2026-Q4", Decimal("150000"))
        forecasts.file_forecast(users["manager"], region, "2026-12", Decimal("60000"))
    db.session.commit()
    rows = facts("entered")
    spans = {"2026-11": (date(2026, 11, 1), FROZEN), "2026-Q4": (date(2026, 10, 1), FROZEN)}
    for row in forecasts.rows(users["director"], 2026):
        if row.forecast.period == "2026-12":  # not begun: nothing sold yet
            assert row.actual == Decimal("0.00") and row.reached == Decimal("0.0")
            continue
        first, last = spans[row.forecast.period]
        want = expected(rows, first, last, "region").get(row.forecast.region_id, (Decimal("0.00"), 0))[0]
        assert row.actual == want, row.forecast.period
        assert row.reached == (want * 100 / row.forecast.amount).quantize(Decimal("0.1"))


def test_the_page_files_a_forecast_and_shows_errors_in_place(users, login):
    sup = login("supervisor1")
    page = sup.get("/targets/forecasts")
    assert page.status_code == 200 and 'id="forecast-form"' in page.text and "华南区" not in page.text
    east = _region("华东区")
    bad = sup.post("/targets/forecasts", data={"region_id": east.id, "period": "2026-13", "amount": "abc"})
    assert bad.status_code == 200 and "金额格式不正确" in bad.text
    assert db.session.scalar(select(db.func.count(SalesForecast.id))) == 0
    bad = sup.post("/targets/forecasts", data={"region_id": east.id, "period": "2026-13", "amount": "１２０，０００"})
    assert bad.status_code == 200 and "期间格式" in bad.text
    ok = sup.post("/targets/forecasts", data={"region_id": east.id, "period": "2026-12", "amount": "１２０，０００"})
    assert ok.status_code == 303
    assert db.session.scalar(select(SalesForecast.amount)) == Decimal("120000.00")
    listed = sup.get("/targets/forecasts?year=2026").text
    assert "¥120,000.00" in listed and "2026-12" in listed
    export = login("gm").get("/targets/forecasts?year=2026&format=xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("sheet")
    assert login("rep1").get("/targets/forecasts").status_code == 403
