"""Demo visits around today, whatever day today is.

rep1 has approved plans covering the weeks before and after today (last month's, this month's and,
when the visits run past the month end, next month's), with reports filed and reviewed for the
older visits, one report overdue and one not yet due. rep3 has this month's plan with one report
filed that supervisor2 has still to review. rep2 and rep4 have submitted next month's plans, which
wait for their supervisors' approval (made through the real service and engine; the notices are
removed). Visits fall on working days (public holidays and 调休
from the clock's calendar), so the demo looks right in the Spring Festival week too.

The approved plans are written directly (no approval request, emails or to-dos) so the demo desks
stay quiet.
"""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..clock import is_workday, local_instant, month_bounds, month_of, today_local
from ..demo import forget_notices
from ..extensions import db
from ..models.customers import Customer
from ..models.visits import FollowUp, PlannedVisit, VisitPlan, VisitReport
from ..services import visits as svc

# (days from today, purpose, items, report outcome or None, reviewed)
REP1_VISITS = [
    (-16, "客户维护", "产品目录、样品 PP-20", "客户对新一批滤芯质量满意，计划下月追加订单。", True),
    (-11, "结清货款", "对账单", "已对账，客户承诺本周内支付上月货款 ¥28,600.00。", True),
    (-6, "新产品推广", "RO-500 宣传册", "演示了 RO-500，客户要求出正式报价。", False),
    (-4, "市场调查", "", None, False),  # no report: overdue (the deadline is 2 days after the visit)
    (-1, "了解竞争对手", "竞品对比表", None, False),  # not yet due
    (2, "客户维护", "PP 棉滤芯样品", None, False),
    (7, "开发新客户", "公司资质、彩页", None, False),
]
REP3_VISITS = [
    (-5, "客户维护", "对账单", "客户反馈 UF-200 运行正常，下季度考虑扩容。", False),
    (3, "新产品推广", "UF 系列彩页", None, False),
]


def _working_day(day: date, step: int) -> date:
    """The nearest working day from `day`, moving by `step` (−1 back into the past, +1 forward)."""
    while not is_workday(day):
        day += timedelta(days=step)
    return day


def _dates(today: date, offsets: list[int]) -> list[date]:
    days = []
    for offset in offsets:
        step = -1 if offset < 0 else 1
        day = _working_day(today + timedelta(days=offset), step)
        if offset < 0 and day >= today:
            day = today - timedelta(days=-offset)  # keep past visits in the past
        if offset > 0 and day <= today:
            day = today + timedelta(days=offset)
        days.append(day)
    return days


def _plans_for(rep, months: set[str]) -> dict[str, VisitPlan]:
    plans = {}
    for month in sorted(months):
        first_of_month = date.fromisoformat(f"{month}-01")
        stamp = local_instant(first_of_month - timedelta(days=3), 10, 20)
        plan = VisitPlan(rep=rep, month=month, status="approved", submitted_at=stamp,
                         approved_at=stamp + timedelta(hours=5))
        db.session.add(plan)
        plans[month] = plan
    return plans


def _seed_rep(rep, reviewer, visits) -> int:
    customers = list(db.session.scalars(select(Customer).where(Customer.owner_id == rep.id).order_by(Customer.id)))
    if not customers:
        return 0
    today = today_local()
    days = _dates(today, [v[0] for v in visits])
    plans = _plans_for(rep, {month_of(d) for d in days})
    created = len(plans)
    for n, ((_, purpose, items, outcome, reviewed), day) in enumerate(zip(visits, days, strict=True)):
        row = PlannedVisit(customer=customers[n % len(customers)], date=day, hours=Decimal("2.0"), purpose=purpose,
                           items=items, expected_cost=Decimal("150.00"))
        plans[month_of(day)].visits.append(row)
        created += 1
        if outcome:
            created += _report(rep, reviewer, row, outcome, reviewed, today)
    db.session.flush()
    return created


def _report(rep, reviewer, row: PlannedVisit, outcome: str, reviewed: bool, today: date) -> int:
    filed_day = min(row.date + timedelta(days=1), today)
    report = VisitReport(rep=rep, planned_visit=row, customer=row.customer, visit_date=row.date, outcome=outcome,
                         promises="三天内寄送报价单" if not reviewed else "", filed_at=local_instant(filed_day, 17, 30))
    if reviewed:
        report.reviewed_by = reviewer
        report.reviewed_at = local_instant(min(filed_day + timedelta(days=1), today), 9, 40)
        report.review_comment = "已阅，按计划跟进。"
    else:
        # one due soon, one a week overdue: the rep's desk and the supervisor's overdue list both show
        report.follow_ups = [FollowUp(action="寄送 RO-500 正式报价单", due_on=today + timedelta(days=3), assignee=rep),
                             FollowUp(action="回电确认样品测试结果", due_on=today - timedelta(days=7), assignee=rep)]
    db.session.add(report)
    return 1


def _submitted_next_month(rep) -> int:
    """The rep's plan for next month, submitted and waiting for the supervisor."""
    month = svc.next_month(today_local())
    if svc.effective_plan(rep.id, month) or db.session.scalar(
            select(VisitPlan.id).where(VisitPlan.rep_id == rep.id, VisitPlan.month == month)):
        return 0
    customers = svc.customers_for(rep)
    if not customers:
        return 0
    first, _ = month_bounds(month)
    plan = svc.create_plan(rep, month)
    for n, (offset, purpose, items) in enumerate([(2, "客户维护", "样品 PP-20"), (9, "结清货款", "对账单"),
                                                   (16, "新产品推广", "RO-1000 彩页")]):
        day = _working_day(first + timedelta(days=offset), 1)
        svc.add_visit(rep, plan, customers[n % len(customers)].id, day, Decimal("2"), purpose, items,
                      Decimal("120.00"))
    request = svc.submit_plan(rep, plan)
    forget_notices([f"approval:{request.id}:"])
    return 4


def seed_visits(users) -> int:
    if db.session.scalar(select(VisitPlan.id).where(VisitPlan.rep_id == users["rep1"].id).limit(1)):
        return 0
    return (_seed_rep(users["rep1"], users["supervisor1"], REP1_VISITS)
            + _seed_rep(users["rep3"], users["supervisor2"], REP3_VISITS)
            + _submitted_next_month(users["rep2"]) + _submitted_next_month(users["rep4"]))
