"""The report center's report types (SPEC 2.7): what each report counts and how it is laid out.

A type is data: its columns (header, kind, width), one figures function (grouped and summed in the
database) that returns one row per person or category, what its chart shows, and whether a second
table sums the rows per region. services/reports.py runs any type the same way: the job, the
totals row, the Excel file (Chinese headers, ¥ formats, frozen header, widths, totals) and the page.

Each figures function takes the run (its scope), the first and last day of the period and a
`step(percent)` callback that the job turns into a heartbeat between its queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from ..clock import local_instant, today_local
from ..extensions import db
from ..models import (
    DailySheet,
    ExpenseClaim,
    ExpenseLine,
    LedgerEntry,
    PlannedVisit,
    Product,
    ReturnRequest,
    SampleItem,
    SampleRequest,
    StockDoc,
    StockDocLine,
    User,
    VisitPlan,
    VisitReport,
)
from ..models.expenses import APPROVED, PAID, SETTLED
from ..models.ledger import FLOAT_IN, RETURN_TO_FINANCE, SPEND_KINDS
from ..models.returns import CLOSED, REASONS, TRACKING
from ..models.samples import CATEGORIES, CHECKED, ISSUE
from ..models.sql import money_sum
from . import attendance, sales_figures
from .daily_sheets import punctuality
from .ledger import CATEGORY_LABELS as SPEND_CATEGORIES
from .returns import REASON_LABELS
from .samples import CATEGORY_LABELS as ITEM_CATEGORIES

ZERO = Decimal("0.00")
VISIT_REPORT_DAYS = 2  # SPEC 2.2: a visit report is due within 2 days


@dataclass(frozen=True)
class Column:
    key: str
    header: object  # a lazy Chinese string: the Excel header as is, the page translated
    kind: str = "int"  # text / int / money / days / pct / rank
    width: int = 10
    ratio: tuple[str, str] | None = None  # a pct column: row[a] / row[b], for the totals too
    change: bool = False  # a pct column read as growth: row[a] / row[b] − 1 (同比增长)

    @property
    def summed(self) -> bool:
        return self.kind in ("int", "money", "days")


@dataclass(frozen=True)
class ReportType:
    key: str
    label: object
    columns: tuple[Column, ...]
    figures: Callable
    chart: tuple[str, tuple[str, ...]]  # the label column, the dataset columns
    label_columns: int = 3  # leading text columns the totals row spans
    group_by: str = ""  # a second table: the rows summed per this column (e.g. region)
    department_only: bool = False  # no team/rep scope (the department's cash box)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


# ---- helpers ---------------------------------------------------------------------------------

PERSON = (Column("region", _l("区域"), "text", 10), Column("team", _l("小组"), "text", 12),
          Column("rep", _l("业务员"), "text", 12))


def reps_of(run) -> list[User]:
    """The reps a run covers: one, a team's, or the department's."""
    stmt = select(User).where(User.role == "rep").order_by(User.region_id, User.team_id, User.id)
    if run.team_id is not None:
        stmt = stmt.where(User.team_id == run.team_id)
    if run.rep_id is not None:
        stmt = stmt.where(User.id == run.rep_id)
    return list(db.session.scalars(stmt))


def person(user: User) -> dict:
    return {"region": user.region.name if user.region else str(_l("未分区域")),
            "team": user.team.name if user.team else "", "rep": user.name}


def money(value) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def instants(first: date, last: date):
    """The UTC instants that bound Shanghai business days first..last (for timestamp columns)."""
    return local_instant(first, 0), local_instant(last + timedelta(days=1), 0)


def _none(_percent: int) -> None:
    return None


# ---- the activity summary (the first type: visits, daily sheets, expenses per rep) ------------

def activity_figures(run, first: date, last: date, step=_none) -> list[dict]:
    reps = reps_of(run)
    ids = [r.id for r in reps]
    planned = dict(db.session.execute(
        select(VisitPlan.rep_id, func.count(PlannedVisit.id)).join(VisitPlan)
        .where(VisitPlan.rep_id.in_(ids), VisitPlan.status == "approved", PlannedVisit.date.between(first, last))
        .group_by(VisitPlan.rep_id)).all())
    step(30)
    done = dict(db.session.execute(
        select(VisitReport.rep_id, func.count(VisitReport.id))
        .where(VisitReport.rep_id.in_(ids), VisitReport.visit_date.between(first, last))
        .group_by(VisitReport.rep_id)).all())
    spent = dict(db.session.execute(
        select(ExpenseClaim.claimant_id, money_sum(ExpenseLine.amount)).join(ExpenseClaim)
        .where(ExpenseClaim.claimant_id.in_(ids), ExpenseClaim.status.in_((APPROVED, PAID, SETTLED)),
               ExpenseLine.spent_on.between(first, last))
        .group_by(ExpenseClaim.claimant_id)).all())
    step(60)
    sheets = punctuality(ids, first, last)
    return [{**person(r), "planned": planned.get(r.id, 0), "done": done.get(r.id, 0),
             "filed": sheets[r.id]["filed"], "late": sheets[r.id]["late"], "expenses": money(spent.get(r.id))}
            for r in reps]


ACTIVITY = ReportType(
    "monthly", _l("活动汇总（拜访计划与实际、日报及时性、费用）"),
    (*PERSON, Column("planned", _l("计划拜访")), Column("done", _l("实际拜访")),
     Column("rate", _l("完成率"), "pct", ratio=("done", "planned")), Column("filed", _l("日报已交")),
     Column("late", _l("日报迟交")), Column("expenses", _l("费用报销"), "money", 16)),
    activity_figures, ("rep", ("planned", "done")))


# ---- visits: plan vs actual (SPEC 2.2) ----------------------------------------------------------

def visit_figures(run, first: date, last: date, step=_none) -> list[dict]:
    """Per rep: approved planned visits, of which reported; unplanned visits; reports filed late."""
    reps = reps_of(run)
    ids = [r.id for r in reps]
    reported = exists().where(VisitReport.planned_visit_id == PlannedVisit.id)
    planned = {rep_id: (count, done or 0) for rep_id, count, done in db.session.execute(
        select(VisitPlan.rep_id, func.count(PlannedVisit.id), func.sum(case((reported, 1), else_=0)))
        .join(VisitPlan)
        .where(VisitPlan.rep_id.in_(ids), VisitPlan.status == "approved", PlannedVisit.date.between(first, last))
        .group_by(VisitPlan.rep_id))}
    step(40)
    unplanned = dict(db.session.execute(
        select(VisitReport.rep_id, func.count(VisitReport.id))
        .where(VisitReport.rep_id.in_(ids), VisitReport.planned_visit_id.is_(None),
               VisitReport.visit_date.between(first, last)).group_by(VisitReport.rep_id)).all())
    late: dict[int, int] = defaultdict(int)
    for rep_id, visit_date, filed_at in db.session.execute(
            select(VisitReport.rep_id, VisitReport.visit_date, VisitReport.filed_at)
            .where(VisitReport.rep_id.in_(ids), VisitReport.visit_date.between(first, last))):
        # Late when filed after the end of the second day after the visit (Shanghai time).
        late[rep_id] += filed_at >= local_instant(visit_date + timedelta(days=VISIT_REPORT_DAYS + 1), 0)
    step(70)
    return [{**person(r), "planned": planned.get(r.id, (0, 0))[0], "done": planned.get(r.id, (0, 0))[1],
             "unplanned": unplanned.get(r.id, 0), "late_reports": late.get(r.id, 0)} for r in reps]


VISITS = ReportType(
    "visits", _l("拜访计划与实际（计划达成率）"),
    (*PERSON, Column("planned", _l("计划拜访")), Column("done", _l("已完成计划拜访")),
     Column("rate", _l("计划达成率"), "pct", ratio=("done", "planned")), Column("unplanned", _l("计划外拜访")),
     Column("late_reports", _l("逾期报告"))),
    visit_figures, ("rep", ("planned", "done", "unplanned")))


# ---- attendance (SPEC 2.3) -------------------------------------------------------------------------

def attendance_people(run) -> list[User]:
    stmt = attendance.attendees_query()
    if run.team_id is not None:
        stmt = stmt.where(User.team_id == run.team_id)
    if run.rep_id is not None:
        stmt = stmt.where(User.id == run.rep_id)
    return list(db.session.scalars(stmt))


def attendance_figures(run, first: date, last: date, step=_none) -> list[dict]:
    """Per person: the attendance rules of services/attendance applied to each day (the one place)."""
    people = attendance_people(run)
    days = attendance.statuses(people, first, last)
    step(70)
    rows = []
    for p in people:
        d = days[p.id]
        late = [s for s in d if s.kind == "late"]
        rows.append({**person(p), "workdays": sum(1 for s in d if s.kind != "rest"),
                     "present": sum(1 for s in d if s.kind in ("normal", "late", "early", "field")),
                     "late_count": len(late), "late_minutes": sum(s.late_minutes for s in late),
                     "fines": money(sum((s.fine for s in d), ZERO)),
                     "absence_days": str(sum((s.absence_days for s in d), Decimal("0.0"))),
                     "leave_days": str(sum((s.leave_days for s in d), Decimal("0.0"))),
                     "trip_days": sum(1 for s in d if s.kind == "trip"),
                     "field_days": sum(1 for s in d if s.kind == "field")})
    return rows


ATTENDANCE = ReportType(
    "attendance", _l("考勤汇总（出勤、迟到、罚款、请假、出差）"),
    (Column("region", _l("区域"), "text", 10), Column("team", _l("小组"), "text", 12),
     Column("rep", _l("姓名"), "text", 12), Column("workdays", _l("应出勤天数")), Column("present", _l("出勤天数")),
     Column("late_count", _l("迟到次数")), Column("late_minutes", _l("迟到分钟")),
     Column("fines", _l("迟到罚款"), "money", 14), Column("absence_days", _l("旷工天数"), "days"),
     Column("leave_days", _l("请假天数"), "days"), Column("trip_days", _l("出差天数")),
     Column("field_days", _l("外勤天数"))),
    attendance_figures, ("rep", ("present", "late_count", "trip_days")))


# ---- expenses by person, category and region (SPEC 2.4) ---------------------------------------

EXPENSE_CATEGORIES = tuple(SPEND_CATEGORIES)


def expense_figures(run, first: date, last: date, step=_none) -> list[dict]:
    """Per rep and category: lines of approved, paid or settled claims, by the day of the expense."""
    reps = reps_of(run)
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for rep_id, category, amount in db.session.execute(
            select(ExpenseClaim.claimant_id, ExpenseLine.category, money_sum(ExpenseLine.amount))
            .join(ExpenseClaim, ExpenseLine.claim_id == ExpenseClaim.id)
            .where(ExpenseClaim.claimant_id.in_([r.id for r in reps]),
                   ExpenseClaim.status.in_((APPROVED, PAID, SETTLED)), ExpenseLine.spent_on.between(first, last))
            .group_by(ExpenseClaim.claimant_id, ExpenseLine.category)):
        key = category if category in SPEND_CATEGORIES else "other"
        sums[rep_id][key] = sums[rep_id].get(key, ZERO) + Decimal(amount)
    step(70)
    rows = []
    for r in reps:
        row = {**person(r), **{c: money(sums[r.id].get(c)) for c in EXPENSE_CATEGORIES}}
        row["total"] = money(sum((Decimal(row[c]) for c in EXPENSE_CATEGORIES), ZERO))
        rows.append(row)
    return rows


EXPENSES = ReportType(
    "expenses", _l("费用报销（按人员、类别、区域）"),
    (*PERSON, *(Column(c, label, "money", 12) for c, label in SPEND_CATEGORIES.items()),
     Column("total", _l("合计金额"), "money", 14)),
    expense_figures, ("rep", EXPENSE_CATEGORIES), group_by="region")


# ---- the petty-cash statement (SPEC 2.4) -------------------------------------------------------------

def petty_cash_figures(run, first: date, last: date, step=_none) -> list[dict]:
    """Per spending category: payments out of the department's cash boxes in the period that were
    not reversed, with the number of payments. The department only (the boxes are the assistant's)."""
    reversal = aliased(LedgerEntry)
    rows = {category: (count, -amount) for category, count, amount in db.session.execute(
        select(LedgerEntry.category, func.count(LedgerEntry.id), money_sum(LedgerEntry.amount))
        .where(LedgerEntry.kind.in_(SPEND_KINDS), LedgerEntry.entry_date.between(first, last),
               ~exists().where(reversal.reverses_id == LedgerEntry.id))
        .group_by(LedgerEntry.category))}
    step(60)
    out = []
    for key in (*SPEND_CATEGORIES, *sorted(k for k in rows if k not in SPEND_CATEGORIES)):
        if key in rows:
            count, amount = rows[key]
            label = SPEND_CATEGORIES.get(key) or key or _l("报销付款")
            out.append({"category": str(label), "count": count, "amount": money(amount)})
    return out


def petty_cash_summary(first: date, last: date) -> dict:
    """Opening + received − spent − returned = closing over the department's boxes for the period."""
    before = money_sum(LedgerEntry.amount)
    opening = db.session.scalar(select(before).where(LedgerEntry.entry_date < first)) or ZERO
    moved = dict(db.session.execute(select(LedgerEntry.kind, money_sum(LedgerEntry.amount))
                                    .where(LedgerEntry.entry_date.between(first, last))
                                    .group_by(LedgerEntry.kind)).all())
    received = Decimal(moved.get(FLOAT_IN) or 0)
    returned = -Decimal(moved.get(RETURN_TO_FINANCE) or 0)
    closing = Decimal(opening) + sum((Decimal(v or 0) for v in moved.values()), ZERO)
    spent = Decimal(opening) + received - returned - closing  # payments net of their reversals
    return {"opening": money(opening), "received": money(received), "spent": money(spent),
            "returned": money(returned), "closing": money(closing)}


PETTY_CASH = ReportType(
    "petty_cash", _l("备用金收支（按类别）"),
    (Column("category", _l("支出类别"), "text", 16), Column("count", _l("笔数")),
     Column("amount", _l("支出金额"), "money", 16)),
    petty_cash_figures, ("category", ("amount",)), label_columns=1, department_only=True)


# ---- samples issued (SPEC 2.5) -----------------------------------------------------------------------

def sample_figures(run, first: date, last: date, step=_none) -> list[dict]:
    """Per rep: checked issue documents (发放单) of the period, quantities by item kind, value at cost."""
    reps = reps_of(run)
    start, end = instants(first, last)
    issued = and_(StockDoc.kind == ISSUE, StockDoc.status == CHECKED, StockDoc.checked_at >= start,
                  StockDoc.checked_at < end)
    docs = dict(db.session.execute(
        select(SampleRequest.rep_id, func.count(func.distinct(StockDoc.id)))
        .join(SampleRequest, StockDoc.request_id == SampleRequest.id)
        .where(issued, SampleRequest.rep_id.in_([r.id for r in reps])).group_by(SampleRequest.rep_id)).all())
    step(40)
    qty: dict[int, dict[str, int]] = defaultdict(dict)
    value: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for rep_id, category, quantity, cost in db.session.execute(
            select(SampleRequest.rep_id, SampleItem.category, func.sum(StockDocLine.quantity),
                   money_sum(StockDocLine.quantity * StockDocLine.unit_cost))
            .select_from(StockDocLine).join(StockDoc, StockDocLine.doc_id == StockDoc.id)
            .join(SampleRequest, StockDoc.request_id == SampleRequest.id)
            .join(SampleItem, StockDocLine.item_id == SampleItem.id)
            .where(issued, SampleRequest.rep_id.in_([r.id for r in reps]))
            .group_by(SampleRequest.rep_id, SampleItem.category)):
        qty[rep_id][category] = int(quantity or 0)
        value[rep_id] += Decimal(cost or 0)
    step(70)
    return [{**person(r), "docs": docs.get(r.id, 0), **{c: qty[r.id].get(c, 0) for c in CATEGORIES},
             "quantity": sum(qty[r.id].values()), "value": money(value[r.id])} for r in reps]


SAMPLES = ReportType(
    "samples", _l("样品与物料发放"),
    (*PERSON, Column("docs", _l("发放单数")), *(Column(c, ITEM_CATEGORIES[c]) for c in CATEGORIES),
     Column("quantity", _l("发放数量")), Column("value", _l("发放金额（成本）"), "money", 16)),
    sample_figures, ("rep", CATEGORIES), group_by="region")


# ---- returns (SPEC 2.6) ----------------------------------------------------------------------------

def return_figures(run, first: date, last: date, step=_none) -> list[dict]:
    """Per rep: return requests submitted in the period, by reason, their amount, signed and closed."""
    reps = reps_of(run)
    start, end = instants(first, last)
    found: dict[int, dict] = defaultdict(lambda: {"count": 0, "amount": ZERO, "signed": 0, "closed": 0,
                                                  **{r: 0 for r in REASONS}})
    for rep_id, reason, status, count, amount in db.session.execute(
            select(ReturnRequest.rep_id, ReturnRequest.reason, ReturnRequest.status, func.count(ReturnRequest.id),
                   money_sum(ReturnRequest.total_amount))
            .where(ReturnRequest.rep_id.in_([r.id for r in reps]), ReturnRequest.submitted_at >= start,
                   ReturnRequest.submitted_at < end)
            .group_by(ReturnRequest.rep_id, ReturnRequest.reason, ReturnRequest.status)):
        row = found[rep_id]
        row["count"] += count
        row[reason if reason in REASONS else "other"] += count
        row["amount"] += Decimal(amount or 0)
        row["signed"] += count if status in TRACKING else 0
        row["closed"] += count if status == CLOSED else 0
    step(70)
    return [{**person(r), **{**found[r.id], "amount": money(found[r.id]["amount"])}} for r in reps]


RETURNS = ReportType(
    "returns", _l("退货（按原因、签批与结案）"),
    (*PERSON, Column("count", _l("退货申请")), *(Column(r, REASON_LABELS[r]) for r in REASONS),
     Column("amount", _l("退货金额"), "money", 16), Column("signed", _l("已签批")), Column("closed", _l("已结案"))),
    return_figures, ("rep", REASONS), group_by="region")


# ---- daily-sheet punctuality (SPEC 2.7) ------------------------------------------------------------

def punctuality_figures(run, first: date, last: date, step=_none) -> list[dict]:
    """Per rep: sheets due (working days up to today, less days on leave or a trip), filed on time,
    late, filed on return (away that day), missing."""
    reps = reps_of(run)
    until = min(last, today_local())
    facts = attendance.gather(reps, first, until) if until >= first else {r.id: {} for r in reps}
    step(40)
    sheets: dict[int, dict[date, DailySheet]] = defaultdict(dict)
    for sheet in db.session.scalars(select(DailySheet).where(DailySheet.rep_id.in_([r.id for r in reps]),
                                                             DailySheet.day.between(first, last))):
        sheets[sheet.rep_id][sheet.day] = sheet
    step(70)
    rows = []
    for r in reps:
        due = [d for d, f in facts[r.id].items() if f.working and not f.trip and f.leave_part != "full"]
        filed = sheets[r.id].values()
        rows.append({**person(r), "due": len(due), "filed": len(filed),
                     "on_time": sum(1 for s in filed if not s.late and not s.excused),
                     "late": sum(1 for s in filed if s.late),
                     "excused": sum(1 for s in filed if s.excused and not s.late),
                     "missing": sum(1 for d in due if d not in sheets[r.id] and d < today_local())})
    return rows


PUNCTUALITY = ReportType(
    "punctuality", _l("销售日报表及时性"),
    (*PERSON, Column("due", _l("应交")), Column("filed", _l("已交")), Column("on_time", _l("按时")),
     Column("late", _l("迟交")), Column("excused", _l("出差/请假后补交")), Column("missing", _l("未交")),
     Column("rate", _l("及时率"), "pct", ratio=("on_time", "due"))),
    punctuality_figures, ("rep", ("on_time", "late", "missing")))


# ---- sales (SPEC 2.11): the weekly report and the month-end analysis, on the figures of sales_figures --

def _span(first: date, last: date) -> sales_figures.Period:
    """A whole month is a "month" (its target lines count); a week has no target of its own."""
    whole_month = first.day == 1 and (last + timedelta(days=1)).day == 1 and first.month == last.month
    return sales_figures.Period(first, last, "month" if whole_month else "week")


def sales_rep_figures(run, first: date, last: date, step=_none) -> list[dict]:
    """Per rep: amount and quantity on the configured basis, target, last year's same period, ranking."""
    reps = reps_of(run)
    ids = [r.id for r in reps]
    span = _span(first, last)
    now = sales_figures.totals(sales_figures.SYSTEM, span, "rep", reps=ids)
    step(40)
    before = sales_figures.totals(sales_figures.SYSTEM, span.previous_year(), "rep", reps=ids)
    step(70)
    goal = sales_figures.targets(sales_figures.SYSTEM, first.year, span.months if span.kind == "month" else ())
    zero = sales_figures.Figure()
    rows = [{**person(r), "amount": money(now.get(r.id, zero).amount), "quantity": now.get(r.id, zero).quantity,
             "target": money(goal.get(r.id)), "previous": money(before.get(r.id, zero).amount)} for r in reps]
    amounts = sorted((Decimal(r["amount"]) for r in rows), reverse=True)
    for row in rows:  # equal amounts share a rank (1, 2, 2, 4)
        row["rank"] = amounts.index(Decimal(row["amount"])) + 1
    return rows


SALES = ReportType(
    "sales", _l("销售业绩（销售额、达成率、同比、排名）"),
    (*PERSON, Column("amount", _l("销售额"), "money", 14), Column("quantity", _l("数量")),
     Column("target", _l("目标"), "money", 14), Column("rate", _l("达成率"), "pct", ratio=("amount", "target")),
     Column("previous", _l("去年同期"), "money", 14),
     Column("growth", _l("同比增长"), "pct", ratio=("amount", "previous"), change=True),
     Column("rank", _l("排名"), "rank", 6)),
    sales_rep_figures, ("rep", ("amount", "target")), group_by="region")


def sales_product_figures(run, first: date, last: date, step=_none) -> list[dict]:
    """Best sellers (畅销产品): per product version, amount and quantity, against last year's same period."""
    ids = [r.id for r in reps_of(run)]
    span = _span(first, last)
    now = sales_figures.totals(sales_figures.SYSTEM, span, "product", reps=ids)
    step(50)
    before = sales_figures.totals(sales_figures.SYSTEM, span.previous_year(), "product", reps=ids)
    names = dict(db.session.execute(select(Product.id, Product.name).where(Product.id.in_(set(now) | set(before)))).all())
    zero = sales_figures.Figure()
    rows = [{"product": names.get(pid, "?"), "amount": money(now.get(pid, zero).amount),
             "quantity": now.get(pid, zero).quantity, "previous": money(before.get(pid, zero).amount)}
            for pid in set(now) | set(before)]
    return sorted(rows, key=lambda r: (-Decimal(r["amount"]), r["product"]))


BEST_SELLERS = ReportType(
    "sales_products", _l("畅销产品（按产品版本）"),
    (Column("product", _l("产品"), "text", 24), Column("amount", _l("销售额"), "money", 14),
     Column("quantity", _l("数量")), Column("previous", _l("去年同期"), "money", 14),
     Column("growth", _l("同比增长"), "pct", ratio=("amount", "previous"), change=True)),
    sales_product_figures, ("product", ("amount", "previous")), label_columns=1)


# ---- contract performance and collections (SPEC 2.10; figures in services/collection_statistics) -----

def collection_figures(run, first: date, last: date, step=_none) -> list[dict]:
    from . import collection_statistics as stats

    found = stats.figures(None, stats.custom_span(first, last), "rep")
    step(80)
    rows = []
    for r in reps_of(run):
        f = found.get(r.id, stats.Figures())
        rows.append({**person(r), "contracts": f.contracts, "contract_amount": money(f.contract_amount),
                     "invoiced": money(f.invoiced), "collected": money(f.collected), "overdue": money(f.overdue)})
    return rows


COLLECTIONS = ReportType(
    "collections", _l("合同履行与回款统计"),
    (*PERSON, Column("contracts", _l("签订合同数")), Column("contract_amount", _l("合同金额"), "money", 14),
     Column("invoiced", _l("开票金额"), "money", 14), Column("collected", _l("回款金额"), "money", 14),
     Column("rate", _l("回款率"), "pct", ratio=("collected", "invoiced")),
     Column("overdue", _l("逾期未回款"), "money", 14)),
    collection_figures, ("rep", ("invoiced", "collected", "overdue")))


TYPES = {t.key: t for t in (ACTIVITY, VISITS, ATTENDANCE, EXPENSES, PETTY_CASH, SAMPLES, RETURNS, PUNCTUALITY,
                            SALES, BEST_SELLERS, COLLECTIONS)}
