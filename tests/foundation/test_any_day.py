"""The demo and the dates the system computes hold on any day of the year.

Marked `calendar`: each test runs at every instant of the sweep in tests/conftest.py (the 1st at
08:00, the 2nd at 23:59, month ends, 31 December → 1 January, 28/29 February 2028, Shanghai
midnight reached at 16:00 UTC, the Spring Festival holiday).
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intranet.clock import SHANGHAI, is_workday, month_bounds, month_of, now_utc, today_local
from intranet.extensions import db
from intranet.models import ApprovalRequest, PlannedVisit, VisitPlan, VisitReport
from intranet.services import ledger
from intranet.services import visits as visit_rules

pytestmark = pytest.mark.calendar

DESK_USERS = ("rep1", "rep3", "supervisor1", "supervisor2", "manager", "director", "gm", "assistant", "finance")


def test_the_clock_is_shanghai(clock_instant):
    assert today_local() == clock_instant.astimezone(SHANGHAI).date()
    assert now_utc().utcoffset() == timedelta(0)


def test_rep1_has_visits_before_and_after_today_a_filed_and_an_overdue_report(users):
    rep, today = users["rep1"], today_local()
    days = list(db.session.scalars(select(PlannedVisit.date).join(VisitPlan).where(
        VisitPlan.rep_id == rep.id, VisitPlan.status == "approved")))
    assert any(d < today for d in days) and any(d > today for d in days)
    assert all(abs((d - today).days) <= 30 for d in days), "the plans are around today"
    assert all(is_workday(d) for d in days), "demo visits fall on working days"
    reports = list(db.session.scalars(select(VisitReport).where(VisitReport.rep_id == rep.id)))
    assert reports and all(r.visit_date <= today and r.filed_at <= now_utc() for r in reports)
    due = visit_rules.reports_due(rep)
    assert any(d.overdue for d in due), "one visit's report is overdue"


def test_pending_approvals_and_a_settled_month(users):
    pending = db.session.scalar(select(func.count(ApprovalRequest.id)).where(ApprovalRequest.status == "pending"))
    assert pending >= 3  # rep2's and rep4's plans for next month, a return waiting for the director
    box = ledger.find_account(users["assistant"])
    last_month = month_of(month_bounds(month_of(today_local()))[0] - timedelta(days=1))
    assert last_month in ledger.locked_periods(box.id)
    assert ledger.statement(box, month_of(today_local())).entries, "this month has entries too"


@pytest.mark.parametrize("username", DESK_USERS)
def test_every_desk_has_something_on_it(login, username):
    page = login(username).get("/").headers["Location"]
    html = login(username).get(page).get_data(as_text=True)
    cards = re.findall(r'<section class="card"', html)
    empty = re.findall(r'<p class="empty">', html)
    assert cards and len(cards) > len(empty), f"{username}'s desk is empty: {len(empty)} of {len(cards)} cards"


CLOCK_READS = re.compile(r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\(|func\.now\(|"
                         r"CURRENT_TIMESTAMP|server_default=.*now")


@pytest.mark.calendar(only=["1st-0800"])  # a source scan: one instant is enough
def test_only_the_clock_module_reads_the_time():
    root = Path(__file__).resolve().parents[2] / "intranet"
    offenders = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.py") if path.name != "clock.py"
                 for n, line in enumerate(path.read_text().splitlines(), 1) if CLOCK_READS.search(line)]
    assert offenders == []
