"""Regional sales forecasts (月度/季度/年度预测, SPEC 2.11), filed by the supervisors.

- A forecast is for one region and one period: a month (2026-12), a quarter (2026-Q4) or a year (2026).
- The region's supervisor files it (or the sales manager / director for any region) until the period
  has ended; filing again for the same region and period replaces the amount, and the audit trail keeps
  the previous one.
- Beside each forecast, what was actually sold in that region in the period so far (the sales basis of
  sales_figures, grouped by the customers' region), and the share of the forecast reached.
- Leaders read every region's forecasts; a supervisor their own region's; reps none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..clock import now_utc, today_local
from ..extensions import db
from ..models import Region, User
from ..models.targets import SalesForecast
from . import audit
from . import sales_figures as figures
from .errors import DomainError, Forbidden

FILERS = ("supervisor", "manager", "director")
READERS = ("supervisor", "manager", "director", "gm", "assistant")
ALL_REGIONS = ("manager", "director", "gm", "assistant")
KIND_LABELS = {"month": _l("月度"), "quarter": _l("季度"), "year": _l("年度")}
PERIOD_TEXT = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")


@dataclass(frozen=True)
class ForecastPeriod:
    kind: str
    text: str
    first: date
    last: date


def parse_period(text: str) -> ForecastPeriod:
    """2026-12 (a month), 2026-Q4 (a quarter) or 2026 (a year), in its canonical spelling."""
    match = PERIOD_TEXT.fullmatch((text or "").strip().upper())
    if not match or not 2000 <= int(match[1]) <= 2100:
        raise DomainError(_l("期间格式应为月份 2026-12、季度 2026-Q4 或年度 2026"), field="period")
    year = int(match[1])
    if match[2]:
        month = int(match[2])
        return ForecastPeriod("month", f"{year}-{month:02d}", date(year, month, 1), _month_end(year, month))
    if match[3]:
        quarter = int(match[3])
        return ForecastPeriod("quarter", f"{year}-Q{quarter}", date(year, 3 * quarter - 2, 1),
                              _month_end(year, 3 * quarter))
    return ForecastPeriod("year", str(year), date(year, 1, 1), date(year, 12, 31))


def _month_end(year: int, month: int) -> date:
    return (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def regions_for(user: User) -> list[Region]:
    """The regions `user` reads (and, for a filer, files for)."""
    stmt = select(Region).order_by(Region.id)
    if user.role not in ALL_REGIONS:
        if user.role != "supervisor" or user.region_id is None:
            return []
        stmt = stmt.where(Region.id == user.region_id)
    return list(db.session.scalars(stmt))


def file_forecast(actor: User, region: Region | None, period_text: str, amount: Decimal, note: str = "") -> SalesForecast:
    if actor.role not in FILERS:
        raise Forbidden(_l("区域销售预测由主管填报"))
    if region is None or region.id not in {r.id for r in regions_for(actor)}:
        raise DomainError(_l("请选择您负责的区域"), field="region_id")
    period = parse_period(period_text)
    if period.last < today_local():
        raise DomainError(_l("该期间已结束，不能再填报预测"), field="period")
    if amount is None or amount < 0:
        raise DomainError(_l("预测金额不能为负数"), field="amount")
    row = db.session.scalar(select(SalesForecast).where(SalesForecast.region_id == region.id,
                                                        SalesForecast.period == period.text).with_for_update())
    before = {"amount": str(row.amount), "filed_by": row.filed_by_id} if row else None
    if row is None:
        row = SalesForecast(region_id=region.id, year=period.first.year, kind=period.kind, period=period.text)
        db.session.add(row)
    row.amount, row.note = amount.quantize(Decimal("0.01")), (note or "").strip()[:200]
    row.filed_by_id, row.filed_at = actor.id, now_utc()
    db.session.flush()
    audit.record(actor, "forecast.file", row, before=before,
                 after={"region": region.name, "period": period.text, "amount": str(row.amount)})
    return row


@dataclass
class ForecastRow:
    forecast: SalesForecast
    actual: Decimal

    @property
    def reached(self) -> Decimal | None:
        return figures.rate(self.actual, self.forecast.amount)


def rows(user: User, year: int) -> list[ForecastRow]:
    """The year's forecasts `user` may read, each with the region's actual sales in its period so far:
    one grouped query per distinct period (at most 17 a year), never one per forecast."""
    region_ids = [r.id for r in regions_for(user)]
    if not region_ids:
        return []
    found = list(db.session.scalars(select(SalesForecast).where(SalesForecast.year == year,
                                                                SalesForecast.region_id.in_(region_ids))
                                    .order_by(SalesForecast.period, SalesForecast.region_id)))
    today, actuals = today_local(), {}
    for text in {f.period for f in found}:
        period = parse_period(text)
        if period.first > today:
            actuals[text] = {}
            continue
        span = figures.Period(period.first, min(period.last, today), period.kind)
        actuals[text] = figures.totals(figures.SYSTEM, span, "region")
    return [ForecastRow(f, actuals[f.period].get(f.region_id, figures.Figure()).amount) for f in found]


def region_or_none(region_id) -> Region | None:
    return db.session.get(Region, region_id) if region_id else None


__all__ = ["FILERS", "READERS", "file_forecast", "parse_period", "regions_for", "rows"]
