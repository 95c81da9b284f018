"""Contract-performance and collection statistics (合同履行与回款统计, SPEC 2.10) and the monthly
commission statement (结算佣金统计表). One function, `statistics`, gives every figure of the page, the
Excel export and the tests; each figure is an aggregate query (GROUP BY) in the database.

Definitions (a period is a month, a quarter or a year, in Asia/Shanghai business days):
- contracts signed — contracts signed (or signed and since closed) with `signed_on` in the period:
  count and Σ contract amount; attributed to the contract's rep;
- invoiced — checked invoices (复核发票) checked in the period: Σ invoice amount; attributed to the
  order's rep (the customer's rep when the order was made);
- collected — allocations of incoming money confirmed by finance in the period, net of reversals
  confirmed in the period (a reversal confirmed later lowers that later period); attributed to the rep
  of the invoice's order;
- collection rate — collected ÷ invoiced of the same period (回款率; empty when nothing was invoiced,
  it can exceed 100 % when older invoices are paid);
- overdue open — as of the period's last day (today for the running period): checked invoices older
  than `collection_days` (the 30-day rule of services/receivables.py) less what was confirmed by then.
Region is the customer's region (as in the sales figures); team is the rep's team.

Who sees what: manager, director, gm, assistant and finance every line; a supervisor the team's
reps (and their own customers); a rep only their own line — decided in SQL by orders.scope.

Commission (佣金): each rep's collected amount of the month at the rate of the band the whole amount
falls in (全额分档 — simple to check by hand: one rate per line). Three bands, kept as company
settings (services/settings.py, group 佣金): up to `commission_band1_upto` at `commission_rate1` %,
up to `commission_band2_upto` at `commission_rate2` %, above at `commission_rate3` %. Commission =
collected × rate ÷ 100, rounded half up to the fen; the total is the sum of the rounded lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, func, literal, literal_column, select, true
from sqlalchemy.orm import aliased

from ..clock import local_instant, today_local
from ..extensions import db
from ..models import Customer, Region, Team, User
from ..models.contracts import CLOSED, SIGNED, Contract
from ..models.orders import CHECKED, Invoice, Order
from ..models.receivables import PaymentAllocation
from ..models.sql import local_days_since, money_sum
from . import settings
from .orders import ALL_SEEING
from .orders import scope as _user_scope

VIEWERS = ("rep", "supervisor", *ALL_SEEING)
KINDS = ("month", "quarter", "year")
KIND_LABELS = {"month": _l("月度"), "quarter": _l("季度"), "year": _l("年度")}
DIMENSIONS = ("rep", "team", "region")
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
UNASSIGNED = _l("（未指定）")


# ---- periods --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    kind: str
    year: int
    number: int  # the month (1–12) or the quarter (1–4); 1 for a year
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year} Q{self.number}"
        if self.kind == "custom":
            return f"{self.start:%Y-%m-%d}~{self.end:%Y-%m-%d}"
        return str(self.year)

    @property
    def asof(self) -> date:
        """The day the overdue figure is taken on: the period's end, or today while it runs."""
        return min(self.end, today_local())


def scope(user: User | None, column):
    """Whose figures `user` reads; None is the department (the report center's job, never a request)."""
    return true() if user is None else _user_scope(user, column)


def custom_span(start: date, end: date) -> Span:
    return Span("custom", start.year, 1, start, end)


def span(kind: str, year: int, number: int = 1) -> Span:
    if kind not in KINDS:
        raise ValueError(kind)
    if kind == "month":
        first_month, months = number, 1
    elif kind == "quarter":
        first_month, months = 3 * (number - 1) + 1, 3
    else:
        first_month, months, number = 1, 12, 1
    start = date(year, first_month, 1)
    after = date(year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1)
    return Span(kind, year, number, start, after - timedelta(days=1))


def current_span(kind: str, day: date | None = None) -> Span:
    day = day or today_local()
    number = {"month": day.month, "quarter": (day.month - 1) // 3 + 1, "year": 1}[kind]
    return span(kind, day.year, number)


# ---- figures ----------------------------------------------------------------------------------------

@dataclass
class Figures:
    contracts: int = 0
    contract_amount: Decimal = ZERO
    invoiced: Decimal = ZERO
    collected: Decimal = ZERO
    overdue: Decimal = ZERO

    @property
    def rate(self) -> Decimal | None:
        """Collection rate in per cent, two places (None when nothing was invoiced)."""
        if not self.invoiced:
            return None
        return (self.collected * 100 / self.invoiced).quantize(CENT, ROUND_HALF_UP)


@dataclass
class Line:
    key: int | None
    name: str
    figures: Figures
    team: str = ""


@dataclass
class Statistics:
    span: Span
    by_rep: list[Line]
    by_team: list[Line]
    by_region: list[Line]
    total: Figures
    chart: dict = field(default_factory=dict)


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _bounds(s: Span):
    return local_instant(s.start, 0), local_instant(s.end + timedelta(days=1), 0)


def _grouped(stmt, key, rep_column, customer_column, dim: str | None):
    """Add the GROUP BY of a dimension to a fact query (None: one row for the whole scope)."""
    if dim is None:
        return stmt.add_columns(literal_column("0").label("k"))
    if dim == "rep":
        return stmt.add_columns(rep_column.label("k")).group_by(rep_column)
    if dim == "team":
        rep = aliased(User)
        return stmt.join(rep, rep.id == rep_column).add_columns(rep.team_id.label("k")).group_by(rep.team_id)
    if dim == "region":
        cust = aliased(Customer)
        return stmt.join(cust, cust.id == customer_column).add_columns(cust.region_id.label("k")) \
            .group_by(cust.region_id)
    raise ValueError(dim)


def _contracts(user: User, s: Span, dim):
    stmt = select(func.count(Contract.id), money_sum(Contract.total_amount)).where(
        Contract.status.in_((SIGNED, CLOSED)), Contract.signed_on >= s.start, Contract.signed_on <= s.end,
        scope(user, Contract.rep_id))
    return {r.k: (int(r[0] or 0), _money(r[1]))
            for r in db.session.execute(_grouped(stmt, None, Contract.rep_id, Contract.customer_id, dim))}


def _invoiced(user: User, s: Span, dim):
    start, end = _bounds(s)
    stmt = select(money_sum(Invoice.amount)).join(Order, Order.id == Invoice.order_id).where(
        Invoice.status == CHECKED, Invoice.checked_at >= start, Invoice.checked_at < end, scope(user, Order.rep_id))
    return {r.k: _money(r[0]) for r in db.session.execute(_grouped(stmt, None, Order.rep_id, Order.customer_id, dim))}


def _collected(user: User, s: Span, dim):
    start, end = _bounds(s)
    stmt = select(money_sum(PaymentAllocation.amount)) \
        .join(Invoice, Invoice.id == PaymentAllocation.invoice_id).join(Order, Order.id == Invoice.order_id) \
        .where(PaymentAllocation.confirmed_by_id.is_not(None), PaymentAllocation.confirmed_at >= start,
               PaymentAllocation.confirmed_at < end, scope(user, Order.rep_id))
    return {r.k: _money(r[0]) for r in db.session.execute(_grouped(stmt, None, Order.rep_id, Order.customer_id, dim))}


def _overdue(user: User, s: Span, dim):
    asof = s.asof
    cutoff = local_instant(asof + timedelta(days=1), 0)
    paid = (select(PaymentAllocation.invoice_id.label("invoice_id"), money_sum(PaymentAllocation.amount).label("paid"))
            .where(PaymentAllocation.confirmed_by_id.is_not(None), PaymentAllocation.confirmed_at < cutoff)
            .group_by(PaymentAllocation.invoice_id).subquery())
    open_amount = Invoice.amount - func.coalesce(paid.c.paid, 0)
    age = local_days_since(Invoice.checked_at, literal(asof, Date))
    per_invoice = (select(Order.rep_id.label("rep_id"), Order.customer_id.label("customer_id"),
                          open_amount.label("open"))
                   .join(Order, Order.id == Invoice.order_id).outerjoin(paid, paid.c.invoice_id == Invoice.id)
                   .where(Invoice.status == CHECKED, Invoice.checked_at < cutoff,
                          age > settings.get("collection_days"), open_amount > 0, scope(user, Order.rep_id))
                   .subquery())
    stmt = select(money_sum(per_invoice.c.open)).select_from(per_invoice)
    return {r.k: _money(r[0])
            for r in db.session.execute(_grouped(stmt, None, per_invoice.c.rep_id, per_invoice.c.customer_id, dim))}


def figures(user: User | None, s: Span, dim: str | None = None) -> dict:
    """{key: Figures} of the period grouped by rep / team / region (None: {0: the whole scope})."""
    contracts, invoiced = _contracts(user, s, dim), _invoiced(user, s, dim)
    collected, overdue = _collected(user, s, dim), _overdue(user, s, dim)
    out = {}
    for k in {*contracts, *invoiced, *collected, *overdue}:
        count, amount = contracts.get(k, (0, ZERO))
        out[k] = Figures(count, amount, invoiced.get(k, ZERO), collected.get(k, ZERO), overdue.get(k, ZERO))
    return out


def _names(model, ids) -> dict:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def _lines(model, found: dict) -> list[Line]:
    names = _names(model, found)
    lines = [Line(k, names.get(k) or str(UNASSIGNED), f) for k, f in found.items()]
    return sorted(lines, key=lambda ln: (ln.key is None, ln.name))


def rep_lines(user: User, s: Span) -> list[Line]:
    """One line per rep the user sees: every visible active rep, and anyone else with figures."""
    found = figures(user, s, "rep")
    reps = db.session.scalars(select(User).where(User.role == "rep", User.active, scope(user, User.id))).all()
    for rep in reps:
        found.setdefault(rep.id, Figures())
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([k for k in found if k])))}
    teams = _names(Team, {p.team_id for p in people.values()})
    lines = [Line(k, people[k].name if k in people else str(UNASSIGNED), f,
                  teams.get(people[k].team_id, "") if k in people else "") for k, f in found.items()]
    return sorted(lines, key=lambda ln: (ln.team, ln.name))


def statistics(user: User, s: Span) -> Statistics:
    reps = rep_lines(user, s)
    total = figures(user, s).get(0, Figures())
    chart = {"labels": [ln.name for ln in reps], "datasets": [
        {"label": str(_l("开票")), "data": [str(ln.figures.invoiced) for ln in reps]},
        {"label": str(_l("回款")), "data": [str(ln.figures.collected) for ln in reps]},
        {"label": str(_l("逾期未回款")), "data": [str(ln.figures.overdue) for ln in reps]}]}
    by_team = _lines(Team, figures(user, s, "team")) if user.role != "rep" else []
    by_region = _lines(Region, figures(user, s, "region"))
    return Statistics(s, reps, by_team, by_region, total, chart)


# ---- the commission statement (结算佣金统计表) -----------------------------------------------------------

@dataclass(frozen=True)
class Band:
    upto: Decimal | None  # the band's upper bound (inclusive); None: no bound
    rate: Decimal  # per cent


@dataclass
class CommissionLine:
    key: int | None
    name: str
    team: str
    collected: Decimal
    rate: Decimal
    commission: Decimal


@dataclass
class CommissionStatement:
    span: Span
    bands: list[Band]
    lines: list[CommissionLine]
    collected: Decimal
    commission: Decimal


def bands() -> list[Band]:
    """The rate table, from the settings (group 佣金)."""
    return [Band(settings.get("commission_band1_upto"), settings.get("commission_rate1")),
            Band(settings.get("commission_band2_upto"), settings.get("commission_rate2")),
            Band(None, settings.get("commission_rate3"))]


def rate_for(collected: Decimal, table: list[Band]) -> Decimal:
    """The rate of the band the whole month's collected amount falls in."""
    for band in table:
        if band.upto is None or collected <= band.upto:
            return band.rate
    return table[-1].rate


def commission_of(collected: Decimal, rate: Decimal) -> Decimal:
    return (collected * rate / 100).quantize(CENT, ROUND_HALF_UP)


def commission(user: User, year: int, month: int) -> CommissionStatement:
    s = span("month", year, month)
    table = bands()
    lines = []
    for ln in rep_lines(user, s):
        rate = rate_for(ln.figures.collected, table)
        lines.append(CommissionLine(ln.key, ln.name, ln.team, ln.figures.collected, rate,
                                    commission_of(ln.figures.collected, rate)))
    total = figures(user, s).get(0, Figures())
    return CommissionStatement(s, table, lines, total.collected, sum((x.commission for x in lines), ZERO))
