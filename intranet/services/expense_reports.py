"""Spend reports: by person, category, region and month; promotions budget vs actual; advances outstanding.

Spend = lines of approved or paid claims (by the month of the expense) plus petty-cash disbursements
that were not reversed (by the month of the entry). Grouped and summed in the database (exact: see
models/sql.py), so a page costs the same few queries whatever the history holds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..clock import today_local
from ..extensions import db
from ..models import ExpenseClaim, ExpenseLine, LedgerEntry, PettyCashAccount, Region, SpendMonthTotal, User
from ..models.expenses import APPROVED, PAID
from ..models.ledger import DISBURSEMENT
from ..models.sql import date_month, money_sum
from . import ledger, spend_summary
from .expenses import ALL_SEEING, CATEGORY_LABELS, scoped

READERS = ("supervisor", "manager", "director", "gm", "assistant", "finance")
ZERO = Decimal("0.00")


@dataclass
class Spend:
    months: list[str]
    by_person: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    by_category: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    by_region: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    by_month: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    month_category: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    total: Decimal = ZERO

    def add(self, person: str, region: str, category: str, month: str, amount: Decimal) -> None:
        self.by_person[person] += amount
        self.by_category[category] += amount
        self.by_region[region] += amount
        self.by_month[month] += amount
        self.month_category[(month, category)] += amount
        self.total += amount

    def sorted(self, name: str) -> list[tuple[str, Decimal]]:
        return sorted(getattr(self, name).items(), key=lambda kv: -kv[1])


def last_months(n: int = 6, end: date | None = None) -> list[str]:
    end = end or today_local()
    year, month, out = end.year, end.month, []
    for _ in range(n):
        out.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(out))


def month_range(start: str, end: str) -> list[str]:
    if start > end:
        start, end = end, start
    months, (year, month) = [], (int(p) for p in start.split("-"))
    while f"{year}-{month:02d}" <= end and len(months) < 60:
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def spend(user: User, months: list[str]) -> Spend:
    """Grouped and summed in the database: one row per person, region, category and month."""
    out = Spend(months=months)
    first, last = ledger.period_bounds(months[0])[0], ledger.period_bounds(months[-1])[1]
    no_region = str(_l("未分区域"))
    claims = scoped(select(ExpenseClaim.id), ExpenseClaim.claimant_id, user).where(
        ExpenseClaim.status.in_((APPROVED, PAID)))
    month = date_month(ExpenseLine.spent_on)
    stmt = (select(User.name, Region.name, ExpenseLine.category, month, money_sum(ExpenseLine.amount))
            .join(ExpenseClaim, ExpenseLine.claim_id == ExpenseClaim.id)
            .join(User, ExpenseClaim.claimant_id == User.id)
            .outerjoin(Region, User.region_id == Region.id)
            .where(ExpenseLine.claim_id.in_(claims), ExpenseLine.spent_on >= first, ExpenseLine.spent_on <= last)
            .group_by(User.id, User.name, Region.name, ExpenseLine.category, month))
    for person, region, category, in_month, amount in db.session.execute(stmt):
        out.add(person, region or no_region, category, in_month, amount)
    if user.role in ALL_SEEING:
        _add_disbursements(out, months, no_region)
    return out


def _not_reversed():
    """SQL condition: no reversal names this entry. The reversals are few (a NOT IN over the unique index
    of reverses_id), where an anti-join would read every entry of the ledger."""
    reversal = aliased(LedgerEntry)
    return LedgerEntry.id.not_in(select(reversal.reverses_id).where(reversal.reverses_id.is_not(None)))


def _add_disbursements(out: Spend, months: list[str], no_region: str) -> None:
    """Petty-cash payments not reversed, by custodian, category and period (spend is their negative)."""
    stmt = (select(User.name, LedgerEntry.category, LedgerEntry.period, money_sum(LedgerEntry.amount))
            .join(PettyCashAccount, LedgerEntry.account_id == PettyCashAccount.id)
            .join(User, PettyCashAccount.custodian_id == User.id)
            .where(LedgerEntry.kind == DISBURSEMENT, LedgerEntry.period.in_(months), _not_reversed())
            .group_by(User.id, User.name, LedgerEntry.category, LedgerEntry.period))
    for custodian, category, period, amount in db.session.execute(stmt):
        out.add(custodian, no_region, category or "other", period, -amount)


def desk_spend(user: User, months: list[str]) -> Spend:
    """What the desks' chart card shows of spend(): the month × category figures, the total and the people's
    totals (by_region is left empty). Read from the spend summary (services.spend_summary), one row per
    month, person, category and source: the leaders' desks would otherwise sum thousands of lines a month
    at a department's size. Claims are scoped by claimant as spend() scopes them; the petty cash only for
    the roles that see everyone."""
    out = Spend(months=months)
    sources = [spend_summary.CLAIM] + ([spend_summary.PETTY_CASH] if user.role in ALL_SEEING else [])
    where = (SpendMonthTotal.month.in_(months), SpendMonthTotal.source.in_(sources))
    cents = func.sum(SpendMonthTotal.cents)
    # Two small groupings of the summary (month × category; person), not its rows: a few dozen figures.
    for in_month, category, total in db.session.execute(scoped(
            select(SpendMonthTotal.month, SpendMonthTotal.category, cents), SpendMonthTotal.person_id, user)
            .where(*where).group_by(SpendMonthTotal.month, SpendMonthTotal.category)):
        if total:  # a row that went back to nothing (a claim approved, then taken out again) shows nothing
            amount = _yuan(total)
            out.by_category[category] += amount
            out.by_month[in_month] += amount
            out.month_category[(in_month, category)] += amount
            out.total += amount
    for name, total in db.session.execute(scoped(
            select(User.name, cents).join(User, SpendMonthTotal.person_id == User.id), SpendMonthTotal.person_id, user)
            .where(*where).group_by(User.id, User.name)):
        if total:
            out.by_person[name] += _yuan(total)
    return out


def _yuan(cents) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def chart_data(s: Spend) -> dict:
    """Chart.js data: one stacked bar per month, one dataset per category (amounts as strings, exact)."""
    categories = [c for c in CATEGORY_LABELS if any(s.month_category.get((m, c)) for m in s.months)]
    return {"labels": s.months, "datasets": [
        {"label": str(CATEGORY_LABELS[c]), "data": [f"{s.month_category.get((m, c), ZERO):.2f}" for m in s.months]}
        for c in categories]}
