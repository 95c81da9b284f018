"""Every report type of the report center (SPEC 2.7): generated through the queue by a real RQ
worker, weekly and monthly; and for each type, the figures of the Excel file — every row and the
totals row — equal an independent computation done here in Python over all the rows (not with the
service's grouped queries)."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

import chinese_calendar
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from intranet.clock import SHANGHAI, local_instant
from intranet.extensions import db
from intranet.models import (
    AttendanceRecord,
    DailySheet,
    ExpenseClaim,
    LeaveRequest,
    LedgerEntry,
    PlannedVisit,
    ReportRun,
    ReturnRequest,
    StockDoc,
    Trip,
    User,
    VisitPlan,
    VisitReport,
)
from intranet.services import reports
from intranet.services.report_types import TYPES

HTMX = {"HX-Request": "true"}
MONTH = "2026-11"  # the tests' default day is 2026-11-18
WEEK = "2026-W46"  # Monday 9 to Sunday 15 November 2026, all working days Monday to Friday
ZERO = Decimal("0.00")


def _compute(kind: str, period: str, **scope) -> tuple[ReportRun, object]:
    run = ReportRun(kind=kind, period=period, status="queued", **scope)
    db.session.add(run)
    db.session.flush()
    reports.compute(run)
    db.session.commit()
    return run, load_workbook(BytesIO(run.xlsx))


def _sheet_rows(ws) -> tuple[list[str], list[list], list]:
    """(headers, data rows, totals row) of a report sheet: title, header, rows, totals."""
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[-1][0] == "合计"
    return values[1], values[2:-1], values[-1]


def _formatted(ws, money_columns: list[int]) -> None:
    """The file is formatted: frozen header, widths, ¥ on money columns (totals row too)."""
    assert ws.freeze_panes == "A3"
    assert all(ws.column_dimensions[chr(64 + i)].width >= 8 for i in range(1, ws.max_column + 1))
    for col in money_columns:
        assert ws.cell(ws.max_row, col).number_format == '"¥"#,##0.00'
        assert ws.cell(3, col).number_format == '"¥"#,##0.00'


def _local_day(ts: datetime) -> date:
    return ts.astimezone(SHANGHAI).date()


def _bounds(period: str) -> tuple[date, date]:
    return reports.period_bounds(period)


def _reps() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "rep")))


def _by_name(rows, headers, name_header="业务员") -> dict[str, dict]:
    i = headers.index(name_header)
    return {row[i]: dict(zip(headers, row, strict=True)) for row in rows}


# ---- through the queue ----------------------------------------------------------------------------

def test_every_type_weekly_and_monthly_is_generated_through_the_queue(app, users, login, run_worker):
    assistant = login("assistant")
    for kind in TYPES:
        for period in (WEEK, MONTH):
            response = assistant.post("/reports/request", data={"kind": kind, "period": period, "scope": "all"})
            assert response.status_code == 303, (kind, response.get_data(as_text=True)[:500])
    runs = db.session.scalars(select(ReportRun).where(ReportRun.status == "queued")).all()
    assert len(runs) == 2 * len(TYPES)
    result = run_worker(timeout=180)
    assert result.returncode == 0, result.stderr
    db.session.expire_all()
    for run in runs:
        run = db.session.get(ReportRun, run.id)
        assert (run.status, run.progress) == ("done", 100), (run.kind, run.period, run.error)
        fragment = assistant.get(f"/reports/{run.id}/progress", headers=HTMX)
        assert fragment.status_code == 286
        body = fragment.get_data(as_text=True)
        assert 'data-chart="bar"' in body and "合计" in body and "<html" not in body
        download = assistant.get(f"/reports/{run.id}/download")
        ws = load_workbook(BytesIO(download.get_data())).active
        assert ws.cell(ws.max_row, 1).value == "合计" and ws.freeze_panes == "A3"
    page = assistant.get(f"/reports/{runs[0].id}").get_data(as_text=True)
    assert "11-09—11-15" in page  # a week is shown with its days


def test_period_and_scope_rules(app, users, login):
    assistant = login("assistant")
    for period in ("2026-W99", "2026-W5x", "2027-W01"):  # no such week; not a period; not begun yet
        response = assistant.post("/reports/request", data={"kind": "visits", "period": period, "scope": "all"})
        assert response.status_code == 200 and "期间" in response.get_data(as_text=True)
    assert reports.check_period("2026-w7") == "2026-W07"
    team = f"team:{users['rep1'].team_id}"
    count = db.session.scalar(select(db.func.count(ReportRun.id)))
    response = assistant.post("/reports/request", data={"kind": "petty_cash", "period": MONTH, "scope": team})
    assert response.status_code == 200 and "全部门" in response.get_data(as_text=True)
    rep1 = login("rep1")
    response = rep1.post("/reports/request", data={"kind": "petty_cash", "period": MONTH,
                                                   "scope": f"rep:{users['rep1'].id}"})
    assert response.status_code == 200  # refused beside the field: the cash box is the department's
    assert db.session.scalar(select(db.func.count(ReportRun.id))) == count


# ---- visits: plan vs actual -------------------------------------------------------------------------

@pytest.mark.parametrize("period", [MONTH, WEEK])
def test_visits_plan_vs_actual_equal_an_independent_count(app, users, period):
    first, last = _bounds(period)
    inside = lambda d: first <= d <= last  # noqa: E731
    plans = {p.id: p for p in db.session.scalars(select(VisitPlan))}
    reports_ = list(db.session.scalars(select(VisitReport)))
    reported = {r.planned_visit_id for r in reports_ if r.planned_visit_id}
    expected = defaultdict(lambda: [0, 0, 0, 0])
    for v in db.session.scalars(select(PlannedVisit)):
        plan = plans[v.plan_id]
        if plan.status == "approved" and inside(v.date):
            expected[plan.rep_id][0] += 1
            expected[plan.rep_id][1] += v.id in reported
    for r in reports_:
        if inside(r.visit_date):
            expected[r.rep_id][2] += r.planned_visit_id is None
            expected[r.rep_id][3] += (_local_day(r.filed_at) - r.visit_date).days > 2
    _run, wb = _compute("visits", period)
    headers, rows, totals = _sheet_rows(wb.active)
    by_name = _by_name(rows, headers)
    for rep in _reps():
        got = by_name[rep.name]
        assert [got["计划拜访"], got["已完成计划拜访"], got["计划外拜访"], got["逾期报告"]] == expected[rep.id]
        planned, done = expected[rep.id][:2]
        assert got["计划达成率"] == (round(done / planned, 4) if planned else None)
    assert totals[3:5] == [sum(e[0] for e in expected.values()), sum(e[1] for e in expected.values())]
    if period == MONTH:
        assert totals[3] > 0  # the month has visits to count


# ---- attendance -----------------------------------------------------------------------------------

def _at(day: date, hh: int, mm: int) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI)


def test_attendance_week_of_a_known_person(app, users, make_user):
    """A new rep's week: on time, 7 min late (¥20), 40 min late (¥50), a day of leave, a day absent."""
    rep1 = users["rep1"]
    rep = make_user("rep", name="考勤测试", team_id=rep1.team_id, region_id=rep1.region_id,
                    reports_to_id=rep1.reports_to_id)
    monday = date(2026, 11, 9)
    for offset, (hh, mm) in enumerate([(8, 55), (9, 7), (9, 40)]):
        day = monday + timedelta(days=offset)
        db.session.add(AttendanceRecord(user_id=rep.id, day=day, check_in_at=_at(day, hh, mm),
                                        check_out_at=_at(day, 18, 5)))
    db.session.add(LeaveRequest(user_id=rep.id, kind="personal", start_day=monday + timedelta(days=3),
                                end_day=monday + timedelta(days=3), days=Decimal("1.0"), status="approved"))
    db.session.commit()
    workdays = sum(1 for i in range(7) if chinese_calendar.is_workday(monday + timedelta(days=i)))
    assert workdays == 5

    _run, wb = _compute("attendance", WEEK, rep_id=rep.id)
    headers, rows, totals = _sheet_rows(wb.active)
    got = _by_name(rows, headers, "姓名")["考勤测试"]
    assert (got["应出勤天数"], got["出勤天数"], got["迟到次数"], got["迟到分钟"]) == (5, 3, 2, 7 + 40)
    assert Decimal(str(got["迟到罚款"])) == Decimal("70.00")
    assert (Decimal(str(got["请假天数"])), Decimal(str(got["旷工天数"])), got["出差天数"]) == (1, 1, 0)
    assert totals[headers.index("迟到罚款")] == got["迟到罚款"]
    _formatted(wb.active, [headers.index("迟到罚款") + 1])


def test_attendance_department_totals_are_the_sum_of_the_people(app, users):
    from intranet.services import attendance

    _run, wb = _compute("attendance", MONTH)
    headers, rows, totals = _sheet_rows(wb.active)
    sheet = {r["name"]: r for r in attendance.compute_sheet(MONTH)}  # the monthly attendance sheet (考勤表)
    assert len(rows) == len(sheet)
    for row in rows:
        got, theirs = dict(zip(headers, row, strict=True)), sheet[row[2]]
        assert (got["出勤天数"], got["迟到次数"], got["迟到分钟"], got["出差天数"]) == (
            theirs["present"], theirs["late_count"], theirs["late_minutes"], theirs["trip_days"])
        assert Decimal(str(got["迟到罚款"])) == theirs["late_fines"]
    assert totals[headers.index("迟到次数")] == sum(r["late_count"] for r in sheet.values())


# ---- expenses by person, category and region ----------------------------------------------------------

@pytest.mark.parametrize("period", [MONTH, WEEK])
def test_expenses_by_person_category_and_region_equal_an_independent_sum(app, users, period):
    from intranet.services.ledger import CATEGORY_LABELS

    first, last = _bounds(period)
    reps = {r.id: r for r in _reps()}
    by_rep: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    by_region: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for claim in db.session.scalars(select(ExpenseClaim)):
        if claim.claimant_id in reps and claim.status in ("approved", "paid", "settled"):
            for line in claim.lines:
                if first <= line.spent_on <= last:
                    by_rep[claim.claimant_id][line.category] += line.amount
                    region = reps[claim.claimant_id].region
                    by_region[region.name if region else "未分区域"] += line.amount
    run, wb = _compute("expenses", period)
    headers, rows, totals = _sheet_rows(wb.worksheets[0])
    by_name = _by_name(rows, headers)
    for rep_id, rep in reps.items():
        got = by_name[rep.name]
        for key, label in CATEGORY_LABELS.items():
            assert Decimal(str(got[str(label)])).quantize(ZERO) == by_rep[rep_id][key], (rep.name, key)
        assert Decimal(str(got["合计金额"])).quantize(ZERO) == sum(by_rep[rep_id].values(), ZERO)
    grand = sum((sum(v.values(), ZERO) for v in by_rep.values()), ZERO)
    assert Decimal(str(totals[-1])).quantize(ZERO) == grand
    _formatted(wb.worksheets[0], list(range(4, len(headers) + 1)))
    g_headers, g_rows, g_totals = _sheet_rows(wb.worksheets[1])  # 按区域汇总
    assert {r[0]: Decimal(str(r[-1])).quantize(ZERO) for r in g_rows} == {
        name: amount for name, amount in by_region.items()} | {
        r[0]: ZERO for r in g_rows if r[0] not in by_region}
    assert Decimal(str(g_totals[-1])).quantize(ZERO) == grand
    if period == MONTH:
        assert grand > 0  # the month has claims to add up


# ---- petty cash -------------------------------------------------------------------------------------

def test_petty_cash_by_category_and_the_statement_equal_the_ledger(app, users):
    from intranet.services.ledger import CATEGORY_LABELS

    first, last = _bounds(MONTH)
    entries = list(db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.account_id, LedgerEntry.seq)))
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    spent: dict[str, Decimal] = defaultdict(lambda: ZERO)
    counts: dict[str, int] = defaultdict(int)
    for e in entries:
        if e.kind in ("disbursement", "claim_payment") and first <= e.entry_date <= last and e.id not in reversed_ids:
            label = str(CATEGORY_LABELS.get(e.category) or e.category or "报销付款")
            spent[label] -= e.amount
            counts[label] += 1
    # The statement from the running balances (not from sums): the last balance before and at the end.
    opening = closing = ZERO
    for account_id in {e.account_id for e in entries}:
        mine = [e for e in entries if e.account_id == account_id]
        before = [e for e in mine if e.entry_date < first]
        upto = [e for e in mine if e.entry_date <= last]
        opening += before[-1].balance if before else ZERO
        closing += upto[-1].balance if upto else ZERO

    run, wb = _compute("petty_cash", MONTH)
    headers, rows, totals = _sheet_rows(wb.worksheets[0])
    assert {r[0]: (r[1], Decimal(str(r[2])).quantize(ZERO)) for r in rows} == {
        k: (counts[k], v) for k, v in spent.items()}
    assert Decimal(str(totals[2])).quantize(ZERO) == sum(spent.values(), ZERO) > 0
    _formatted(wb.worksheets[0], [3])
    summary = {r[0].value: Decimal(str(r[1].value)).quantize(ZERO) for r in wb.worksheets[1].iter_rows(min_row=2)}
    assert (summary["期初余额"], summary["期末余额"]) == (opening, closing)
    assert summary["期初余额"] + summary["领入备用金"] - summary["支出"] - summary["退还财务"] == summary["期末余额"]


# ---- samples issued -----------------------------------------------------------------------------------

def test_samples_issued_equal_an_independent_count(app, users):
    first, last = _bounds(MONTH)
    expected: dict[int, list] = defaultdict(lambda: [0, 0, ZERO])
    for doc in db.session.scalars(select(StockDoc).where(StockDoc.kind == "issue")):
        if doc.status == "checked" and first <= _local_day(doc.checked_at) <= last and doc.request:
            row = expected[doc.request.rep_id]
            row[0] += 1
            row[1] += sum(ln.quantity for ln in doc.lines)
            row[2] += sum((ln.quantity * ln.unit_cost for ln in doc.lines), ZERO)
    _run, wb = _compute("samples", MONTH)
    headers, rows, totals = _sheet_rows(wb.worksheets[0])
    by_name = _by_name(rows, headers)
    for rep in _reps():
        got = by_name[rep.name]
        assert [got["发放单数"], got["发放数量"], Decimal(str(got["发放金额（成本）"])).quantize(ZERO)] == \
            expected[rep.id], rep.name
        assert got["样品"] + got["彩页"] + got["名片"] + got["礼品"] == got["发放数量"]
    assert totals[headers.index("发放数量")] == sum(e[1] for e in expected.values()) > 0
    _formatted(wb.worksheets[0], [headers.index("发放金额（成本）") + 1])


# ---- returns -----------------------------------------------------------------------------------------

def test_returns_by_reason_equal_an_independent_count(app, users):
    first, last = _bounds(MONTH)
    expected: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    tracking = ("signed", "notified", "shipped", "received", "refunded", "closed")
    for r in db.session.scalars(select(ReturnRequest)):
        if r.submitted_at and first <= _local_day(r.submitted_at) <= last:
            expected[r.rep_id]["count"] += 1
            expected[r.rep_id][r.reason] += 1
            expected[r.rep_id]["signed"] += r.status in tracking
            expected[r.rep_id]["closed"] += r.status == "closed"
            amounts[r.rep_id] += r.total_amount
    _run, wb = _compute("returns", MONTH)
    headers, rows, totals = _sheet_rows(wb.worksheets[0])
    by_name = _by_name(rows, headers)
    for rep in _reps():
        got, want = by_name[rep.name], expected[rep.id]
        assert (got["退货申请"], got["质量问题"], got["发错货"], got["物流损坏"], got["其他"], got["已签批"],
                got["已结案"]) == (want["count"], want["quality"], want["wrong_goods"], want["transit_damage"],
                                 want["other"], want["signed"], want["closed"]), rep.name
        assert Decimal(str(got["退货金额"])).quantize(ZERO) == amounts[rep.id]
    assert totals[headers.index("退货申请")] == sum(w["count"] for w in expected.values()) > 0
    assert Decimal(str(totals[headers.index("退货金额")])).quantize(ZERO) == sum(amounts.values(), ZERO)
    _formatted(wb.worksheets[0], [headers.index("退货金额") + 1])


# ---- daily-sheet punctuality ---------------------------------------------------------------------------

def test_daily_sheet_punctuality_of_a_known_week(app, users):
    """rep1 in week 46: on time Monday, late Tuesday, on a trip Wednesday (filed on return Thursday
    for Wednesday: excused), nothing Friday. Every rep's figures against a count done here."""
    rep1 = users["rep1"]
    monday = date(2026, 11, 9)
    db.session.execute(db.delete(DailySheet).where(DailySheet.rep_id == rep1.id,
                                                   DailySheet.day.between(monday, monday + timedelta(days=6))))
    db.session.add_all([
        DailySheet(rep_id=rep1.id, day=monday, tomorrow="拜访", filed_at=local_instant(monday, 16)),
        DailySheet(rep_id=rep1.id, day=monday + timedelta(days=1), tomorrow="拜访", late=True),
        DailySheet(rep_id=rep1.id, day=monday + timedelta(days=2), tomorrow="拜访", excused="trip"),
        Trip(user_id=rep1.id, destination="杭州", start_day=monday + timedelta(days=2),
             end_day=monday + timedelta(days=2), purpose="客户拜访", status="approved"),
    ])
    db.session.execute(db.delete(Trip).where(Trip.user_id == rep1.id, Trip.status != "approved"))
    db.session.commit()

    first, last = _bounds(WEEK)
    days = [first + timedelta(days=i) for i in range(7)]
    away = defaultdict(set)
    for trip in db.session.scalars(select(Trip).where(Trip.status == "approved")):
        away[trip.user_id] |= {d for d in days if trip.start_day <= d <= trip.end_day}
    for leave in db.session.scalars(select(LeaveRequest).where(LeaveRequest.status == "approved")):
        away[leave.user_id] |= {d for d in days if leave.start_day <= d <= leave.end_day
                                and not (d == leave.start_day and leave.start_pm)
                                and not (d == leave.end_day and leave.end_am)}
    sheets = defaultdict(dict)
    for s in db.session.scalars(select(DailySheet).where(DailySheet.day.between(first, last))):
        sheets[s.rep_id][s.day] = s
    _run, wb = _compute("punctuality", WEEK)
    headers, rows, totals = _sheet_rows(wb.active)
    by_name = _by_name(rows, headers)
    for rep in _reps():
        due = [d for d in days if chinese_calendar.is_workday(d) and d not in away[rep.id]]
        mine = sheets[rep.id].values()
        want = (len(due), len(mine), sum(1 for s in mine if not s.late and not s.excused),
                sum(1 for s in mine if s.late), sum(1 for s in mine if s.excused and not s.late),
                sum(1 for d in due if d not in sheets[rep.id]))
        got = by_name[rep.name]
        assert (got["应交"], got["已交"], got["按时"], got["迟交"], got["出差/请假后补交"], got["未交"]) == want, rep.name
    got = by_name[rep1.name]
    assert (got["应交"], got["按时"], got["迟交"], got["出差/请假后补交"], got["未交"]) == (4, 1, 1, 1, 2)
    assert got["及时率"] == 0.25
    assert totals[headers.index("已交")] == sum(len(v) for k, v in sheets.items() if k in {r.id for r in _reps()})
