"""The sales figures, defined once (SPEC 2.11): every page, export and job that shows a sales amount calls here.

What counts as sales is the company setting `sales_basis` (shown on every page that uses it):
- entered   — lines of orders entered (制单), on the day of entry; cancelled orders do not count;
- shipped   — checked shipment lines (复核发货) at the order's unit price, on the shipping day; exchange
              shipments (换货) replace goods already sold and do not count;
- invoiced  — checked invoice lines, on the (Shanghai) day of the check;
- collected — payment notices confirmed by finance (到账), on the day of the confirmation; money has no
              product, so the product figures are empty on this basis.
Each fact carries a day, the rep, the customer (and through it the region), the product, a quantity
and an amount. Every figure is an aggregate query (GROUP BY) over those facts, limited to the reader's
scope in SQL (a rep: own; a supervisor: the team; leaders, the assistant and finance: all): no query
ever loads orders into Python, so the cost follows the number of reps/products shown, not of orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, false, func, literal_column, null, or_, select, true

from ..clock import local_instant
from ..extensions import db
from ..models import Customer, Order, OrderLine, Product, Region, Team, User
from ..models.orders import (
    CHECKED,
    CONFIRMED,
    ENTERED,
    PARTLY_SHIPPED,
    SHIPPED,
    Invoice,
    InvoiceLine,
    PaymentNotice,
    Shipment,
    ShipmentLine,
)
from ..models.targets import APPROVED, SalesTarget, SalesTargetLine
from . import settings

BASES = ("entered", "shipped", "invoiced", "collected")
VIEWERS = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
ALL_SCOPE = ("manager", "director", "gm", "assistant", "finance")
DIMENSIONS = ("rep", "team", "region", "product", "customer")
PERIOD_KINDS = ("day", "week", "month", "ytd")
PERIOD_LABELS = {"day": _l("当日"), "week": _l("本周"), "month": _l("本月"), "ytd": _l("本年累计")}
ZERO = Decimal("0.00")
KEY_SHARE, B_SHARE = Decimal("0.80"), Decimal("0.95")  # ABC: A up to 80% of sales, B up to 95%, C the rest


def basis() -> str:
    return settings.get("sales_basis")


def basis_label(value: str | None = None):
    return dict(settings.BY_KEY["sales_basis"].choices)[value or basis()]


# ---- periods -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str = "custom"

    def previous_year(self) -> Period:
        return Period(_year_back(self.start), _year_back(self.end), self.kind)

    @property
    def months(self) -> tuple[int, ...]:
        """The months of the period (one year at most): what target lines it covers."""
        return tuple(range(self.start.month, self.end.month + 1)) if self.start.year == self.end.year else ()


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def period(kind: str, day: date) -> Period:
    """The period of that kind up to and including `day`: the day, the week from Monday, the month from
    the 1st, the year from 1 January."""
    starts = {"day": day, "week": day - timedelta(days=day.weekday()), "month": day.replace(day=1),
              "ytd": day.replace(month=1, day=1)}
    return Period(starts[kind], day, kind)


def month_period(year: int, month: int) -> Period:
    first = date(year, month, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return Period(first, last, "month")


# ---- the facts ----------------------------------------------------------------------------

@dataclass
class Facts:
    """One basis' columns and the FROM/WHERE that yields one row per sold line (or payment)."""

    at: object
    rep_id: object
    customer_id: object
    product_id: object
    quantity: object
    amount: object
    order_id: object
    payment_id: object
    stamp: bool = False  # `at` is a UTC timestamp (compared with Shanghai day bounds), not a date
    joins: list = field(default_factory=list)
    where: list = field(default_factory=list)
    base: object = None

    def bound(self, day: date):
        return local_instant(day, 0) if self.stamp else day

    def select(self, *columns, user: User, period: Period | None = None, extra=()):
        stmt = select(*columns).select_from(self.base)
        for target, on in self.joins:
            stmt = stmt.join(target, on)
        conditions = [*self.where, scope(user, self.rep_id), *extra]
        if period is not None:
            conditions += [self.at >= self.bound(period.start), self.at < self.bound(period.end + timedelta(days=1))]
        return stmt.where(*conditions)


def facts(which: str | None = None) -> Facts:
    which = which or basis()
    if which == "entered":
        return Facts(Order.entered_on, Order.rep_id, Order.customer_id, OrderLine.product_id, OrderLine.quantity,
                     OrderLine.amount, Order.id, null(), base=OrderLine,
                     joins=[(Order, Order.id == OrderLine.order_id)],
                     where=[Order.status.in_((ENTERED, PARTLY_SHIPPED, SHIPPED))])
    if which == "shipped":
        return Facts(Shipment.shipped_on, Order.rep_id, Order.customer_id, ShipmentLine.product_id,
                     ShipmentLine.quantity, ShipmentLine.quantity * OrderLine.unit_price, Order.id, null(),
                     base=ShipmentLine, joins=[(Shipment, Shipment.id == ShipmentLine.shipment_id),
                                               (OrderLine, OrderLine.id == ShipmentLine.order_line_id),
                                               (Order, Order.id == Shipment.order_id)],
                     where=[Shipment.status == CHECKED, Shipment.return_id.is_(None)])
    if which == "invoiced":
        return Facts(Invoice.checked_at, Order.rep_id, Order.customer_id, InvoiceLine.product_id,
                     InvoiceLine.quantity, InvoiceLine.amount, Order.id, null(), stamp=True, base=InvoiceLine,
                     joins=[(Invoice, Invoice.id == InvoiceLine.invoice_id), (Order, Order.id == Invoice.order_id)],
                     where=[Invoice.status == CHECKED])
    if which == "collected":
        return Facts(PaymentNotice.confirmed_on, PaymentNotice.rep_id, PaymentNotice.customer_id, null(),
                     literal_column("0"), PaymentNotice.amount, null(), PaymentNotice.id, base=PaymentNotice,
                     where=[PaymentNotice.status == CONFIRMED])
    raise ValueError(which)


SYSTEM = None  # the reader a periodic job passes: the whole department (never a web request's user)


def scope(user: User | None, rep_column):
    """Whose sales `user` may read, as a SQL condition on the rep column."""
    if user is SYSTEM:
        return true()
    if user.role == "rep":
        return rep_column == user.id
    if user.role == "supervisor":
        return rep_column.in_(select(User.id).where(User.reports_to_id == user.id))
    return true() if user.role in ALL_SCOPE else false()


def visible_reps(user: User) -> list[User]:
    """The reps whose lines `user` sees (active ones, and any inactive one who still has figures is
    shown by name from the figures themselves)."""
    return list(db.session.scalars(select(User).where(User.role == "rep", User.active, scope(user, User.id))
                                   .order_by(User.team_id, User.id)))


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


@dataclass
class Figure:
    amount: Decimal = ZERO
    quantity: int = 0


def _key_column(f: Facts, by: str):
    """The GROUP BY column for a dimension, and the joins it needs beyond the facts."""
    if by == "rep":
        return f.rep_id, []
    if by == "team":
        return User.team_id, [(User, User.id == f.rep_id)]
    if by == "region":
        return Customer.region_id, [(Customer, Customer.id == f.customer_id)]
    if by == "product":
        return f.product_id, []
    if by == "customer":
        return f.customer_id, []
    if by == "all":
        return None, []
    raise ValueError(by)


def totals(user: User, span: Period, by: str = "rep", which: str | None = None,
           reps: list[int] | None = None, top: int | None = None) -> dict:
    """{key: Figure} for the period, grouped by rep / team / region / product / customer ("all": key 0);
    `reps` narrows it to those reps' sales (a report run for one team or one rep); `top` keeps the keys
    ranked `top` or better by amount (ties at the edge included), ranked in SQL with a window function."""
    if by == "product" and (which or basis()) == "collected":
        return {}
    f = facts(which)
    key, joins = _key_column(f, by)
    f.joins = [*f.joins, *joins]
    extra = (f.rep_id.in_(reps),) if reps is not None else ()
    if key is None:  # the whole scope: one row
        stmt = f.select(func.sum(f.amount), func.sum(f.quantity), user=user, period=span, extra=extra)
        amount, quantity = db.session.execute(stmt).one()
        return {0: Figure(_money(amount), int(quantity or 0))}
    stmt = f.select(key.label("k"), func.sum(f.amount), func.sum(f.quantity), user=user, period=span,
                    extra=extra).group_by(key)
    if top is not None:
        ranked_by = func.rank().over(order_by=func.round(func.sum(f.amount), 2).desc()).label("r")
        inner = stmt.add_columns(ranked_by).subquery()
        k, a, q, r = inner.c
        stmt = select(k, a, q).where(r <= top)
    return {k: Figure(_money(a), int(q or 0)) for k, a, q in db.session.execute(stmt)}


def paired_totals(user: User, span: Period, by: str = "rep", which: str | None = None) -> tuple[dict, dict]:
    """totals() of the period and of the same period a year before, read in one pass over both ranges
    (every table of the statistics sets a period beside last year's: one scan instead of two)."""
    if by == "product" and (which or basis()) == "collected":
        return {}, {}
    f = facts(which)
    key, joins = _key_column(f, by)
    f.joins = [*f.joins, *joins]
    before = span.previous_year()

    def within(p: Period):
        return (f.at >= f.bound(p.start)) & (f.at < f.bound(p.end + timedelta(days=1)))

    now_cond, before_cond = within(span), within(before)
    columns = [func.sum(case((now_cond, f.amount))), func.sum(case((now_cond, f.quantity))),
               func.sum(case((before_cond, f.amount))), func.sum(case((before_cond, f.quantity)))]
    keys = [key.label("k")] if key is not None else [literal_column("0").label("k")]
    stmt = f.select(*keys, *columns, user=user, extra=(or_(now_cond, before_cond),))
    if key is not None:
        stmt = stmt.group_by(key)
    now_out, before_out = {}, {}
    for k, a, q, pa, pq in db.session.execute(stmt):
        if a is not None:
            now_out[k] = Figure(_money(a), int(q or 0))
        if pa is not None:
            before_out[k] = Figure(_money(pa), int(pq or 0))
    if key is None:
        now_out.setdefault(0, Figure())
        before_out.setdefault(0, Figure())
    return now_out, before_out


def total(user: User, span: Period, which: str | None = None) -> Figure:
    return totals(user, span, "all", which).get(0, Figure())


def monthly(user: User, year: int, by: str = "all", which: str | None = None, upto: date | None = None) -> dict:
    """{key: [12 amounts]} for the year (up to `upto`), one query: the month is a CASE over the day bounds."""
    f = facts(which)
    key, joins = _key_column(f, by)
    f.joins = [*f.joins, *joins]
    end = upto or date(year, 12, 31)
    bucket = case(*[(f.at < f.bound(date(year, m + 1, 1)), m) for m in range(1, 12)], else_=12)
    # Grouped by the output name: the CASE carries bound values, which PostgreSQL would not match
    # between the SELECT list and a repeated GROUP BY expression.
    keys = [key.label("k")] if key is not None else [literal_column("0").label("k")]
    stmt = (f.select(*keys, bucket.label("m"), func.sum(f.amount), user=user, period=Period(date(year, 1, 1), end))
            .group_by(*([key] if key is not None else []), literal_column("m")))
    out: dict = {}
    for k, m, amount in db.session.execute(stmt):
        out.setdefault(k, [ZERO] * 12)[int(m) - 1] = _money(amount)
    return out


# ---- targets -------------------------------------------------------------------------------

def targets(user: User, year: int, months: tuple[int, ...], by: str = "rep") -> dict:
    """{rep_id | team_id | 0: target amount} of the effective (approved) target over those months."""
    if not months:
        return {}
    key = _target_key(by)
    stmt = (select(key.label("k"), func.sum(SalesTargetLine.amount))
            .join(SalesTarget, SalesTarget.id == SalesTargetLine.target_id)
            .where(SalesTarget.year == year, SalesTarget.status == APPROVED, SalesTargetLine.month.in_(months),
                   scope(user, SalesTargetLine.rep_id))
            .group_by(literal_column("k")))
    return {k: _money(a) for k, a in db.session.execute(stmt) if a is not None}


def _target_key(by: str):
    return {"rep": SalesTargetLine.rep_id, "team": SalesTargetLine.team_id, "all": literal_column("0")}[by]


def monthly_targets(user: User, year: int, by: str = "all") -> dict:
    """{key: [12 target amounts]} of the effective target."""
    stmt = (select(_target_key(by).label("k"), SalesTargetLine.month, func.sum(SalesTargetLine.amount))
            .join(SalesTarget, SalesTarget.id == SalesTargetLine.target_id)
            .where(SalesTarget.year == year, SalesTarget.status == APPROVED, scope(user, SalesTargetLine.rep_id))
            .group_by(literal_column("k"), SalesTargetLine.month))
    out: dict = {}
    for k, m, amount in db.session.execute(stmt):
        out.setdefault(k, [ZERO] * 12)[int(m) - 1] = _money(amount)
    return out


def rate(actual: Decimal, goal: Decimal | None) -> Decimal | None:
    """Achievement (达成率) or year-on-year ratio in percent, one place; None without a base."""
    if not goal:
        return None
    return (actual * 100 / goal).quantize(Decimal("0.1"))


def growth(actual: Decimal, before: Decimal | None) -> Decimal | None:
    """Year-on-year growth (同比增长) in percent."""
    if not before:
        return None
    return ((actual - before) * 100 / before).quantize(Decimal("0.1"))


# ---- rows for the pages -------------------------------------------------------------------------

@dataclass
class Row:
    key: object
    name: str
    amount: Decimal = ZERO
    quantity: int = 0
    target: Decimal | None = None
    previous: Decimal = ZERO  # same period last year
    rank: int = 0
    share: Decimal | None = None  # of the total, percent
    team: str = ""
    abc: str = ""

    @property
    def achievement(self) -> Decimal | None:
        return rate(self.amount, self.target)

    @property
    def yoy(self) -> Decimal | None:
        return growth(self.amount, self.previous)


def _names(model, ids) -> dict:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def ranked(rows: list[Row]) -> list[Row]:
    """Sorted by amount, highest first; equal amounts share a rank (1, 2, 2, 4)."""
    rows = sorted(rows, key=lambda r: (-r.amount, r.name))
    for i, row in enumerate(rows):
        row.rank = rows[i - 1].rank if i and row.amount == rows[i - 1].amount else i + 1
    return rows


def _shares(rows: list[Row]) -> list[Row]:
    whole = sum((r.amount for r in rows), ZERO)
    for row in rows:
        row.share = rate(row.amount, whole)
    return rows


def rep_rows(user: User, span: Period) -> list[Row]:
    """Per rep: amount, quantity, target, achievement, last year's same period, ranking."""
    reps = {u.id: u for u in visible_reps(user)}
    now, before = paired_totals(user, span, "rep")
    goal = targets(user, span.start.year, span.months if span.kind in ("month", "ytd") else (), "rep")
    ids = set(reps) | set(now) | set(goal)
    extra = {i: n for i, n in _names(User, ids - set(reps)).items()}
    teams = _names(Team, {u.team_id for u in reps.values()})
    rows = [Row(i, reps[i].name if i in reps else extra.get(i, "?"), now.get(i, Figure()).amount,
                now.get(i, Figure()).quantity, goal.get(i), before.get(i, Figure()).amount,
                team=teams.get(reps[i].team_id, "") if i in reps else "") for i in ids]
    return _shares(ranked(rows))


def team_rows(user: User, span: Period) -> list[Row]:
    now, before = paired_totals(user, span, "team")
    goal = targets(user, span.start.year, span.months if span.kind in ("month", "ytd") else (), "team")
    ids = set(now) | set(goal)
    names = _names(Team, ids)
    rows = [Row(i, names.get(i, str(_l("未分组"))), now.get(i, Figure()).amount, now.get(i, Figure()).quantity,
                goal.get(i), before.get(i, Figure()).amount) for i in ids]
    return _shares(ranked(rows))


def region_rows(user: User, span: Period) -> list[Row]:
    now, before = paired_totals(user, span, "region")
    names = _names(Region, set(now))
    rows = [Row(i, names.get(i, str(_l("未分区域"))), fig.amount, fig.quantity, None,
                before.get(i, Figure()).amount) for i, fig in now.items()]
    return _shares(ranked(rows))


def product_rows(user: User, span: Period, limit: int | None = None) -> list[Row]:
    """Best sellers (畅销产品): by amount, with quantity and last year's same period."""
    now, before = paired_totals(user, span, "product")
    names = _names(Product, set(now))
    rows = _shares(ranked([Row(i, names.get(i, "?"), fig.amount, fig.quantity, None, before.get(i, Figure()).amount)
                           for i, fig in now.items()]))
    return rows[:limit] if limit else rows


def customer_rows(user: User, span: Period, limit: int | None = None) -> list[Row]:
    """Customers by amount with their ABC class: A are the key accounts (重点客户) that together make up
    the first 80% of sales (the customer crossing 80% included), B up to 95%, C the rest."""
    # With a limit only the first customers are read (and the whole from one sum): a department has thousands.
    now = totals(user, span, "customer", top=limit)
    names = _names(Customer, set(now))
    rows = ranked([Row(i, names.get(i, "?"), fig.amount, fig.quantity) for i, fig in now.items()])
    whole = total(user, span).amount if limit else sum((r.amount for r in rows), ZERO)
    for row in rows:
        row.share = rate(row.amount, whole)
    running = ZERO
    for row in rows:
        before = running / whole if whole else Decimal(1)
        row.abc = "A" if before < KEY_SHARE else "B" if before < B_SHARE else "C"
        running += row.amount
    return rows[:limit] if limit else rows


def key_accounts(user: User, span: Period) -> list[Row]:
    return [r for r in customer_rows(user, span) if r.abc == "A" and r.amount > 0]


def summary(user: User, span: Period) -> Row:
    """The whole scope for the period: amount, target, last year."""
    now, before = (figures[0] for figures in paired_totals(user, span, "all"))
    goal = targets(user, span.start.year, span.months if span.kind in ("month", "ytd") else (), "all").get(0)
    return Row(0, "", now.amount, now.quantity, goal, before.amount)


# ---- drill-down -----------------------------------------------------------------------------------

def drill_ids(user: User, span: Period, rep_id: int | None = None, customer_id: int | None = None,
              product_id: int | None = None, which: str | None = None):
    """A subquery of the orders (or, on the collected basis, payment notices) behind a figure."""
    f = facts(which)
    extra = []
    if rep_id:
        extra.append(f.rep_id == rep_id)
    if customer_id:
        extra.append(f.customer_id == customer_id)
    if product_id and (which or basis()) != "collected":
        extra.append(f.product_id == product_id)
    column = f.payment_id if (which or basis()) == "collected" else f.order_id
    return f.select(column, user=user, period=span, extra=extra).distinct()


def figure_rows(user: User, span: Period, by: str) -> list[Row]:
    """The rows of the figures page for one dimension."""
    return {"rep": rep_rows, "team": team_rows, "region": region_rows, "product": product_rows,
            "customer": customer_rows}[by](user, span)


# ---- 销售状况一览表 ----------------------------------------------------------------------------------

def _paired(month_rows: list[Row], year_rows: list[Row]) -> list[dict]:
    """One line per rep or team: the month's row and the year's, ordered by the year's ranking."""
    by_key = {r.key: r for r in month_rows}
    return [{"key": y.key, "name": y.name, "team": y.team,
             "month": by_key.get(y.key) or Row(y.key, y.name, team=y.team), "ytd": y} for y in year_rows]


def overview(user: User, year: int, month: int, today: date) -> dict:
    """Everything the 一览表 shows, in a fixed number of aggregate queries whatever the years of orders:
    the month and the year to date (to today within the current month), target vs actual per team and
    rep, collections, top customers and products, and the monthly chart of actual against target."""
    whole = month_period(year, month)
    end = min(whole.end, today) if whole.start <= today else whole.end
    month_span, year_span = Period(whole.start, end, "month"), Period(date(year, 1, 1), end, "ytd")
    actual = monthly(user, year, "all", upto=end).get(0, [ZERO] * 12)
    goal = monthly_targets(user, year, "all").get(0, [ZERO] * 12)
    teams = [] if user.role == "rep" else _paired(team_rows(user, month_span), team_rows(user, year_span))
    return {
        "basis": basis(), "month_span": month_span, "year_span": year_span,
        "month_total": summary(user, month_span), "year_total": summary(user, year_span),
        "collected_month": total(user, month_span, "collected"), "collected_year": total(user, year_span, "collected"),
        "reps": _paired(rep_rows(user, month_span), rep_rows(user, year_span)), "teams": teams,
        "customers": customer_rows(user, year_span, limit=10), "products": product_rows(user, year_span, limit=10),
        "chart": {"labels": [str(_l("%(m)d月", m=m)) for m in range(1, 13)],
                  "datasets": [{"label": str(_l("实际")), "data": [f"{v:.2f}" for v in actual]},
                               {"label": str(_l("目标")), "data": [f"{v:.2f}" for v in goal]}]},
    }
