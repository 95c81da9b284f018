"""Demo: rep1's approved plan for the current month with a few visits, one of them reported.

Written directly as approved (no approval request, emails or to-dos) so the demo desk stays quiet.
"""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from ..clock import SHANGHAI, now_utc, today_local
from ..extensions import db
from ..models.customers import Customer
from ..models.visits import PlannedVisit, VisitPlan, VisitReport
from ..services.visits import month_bounds, month_of


def seed_visits(users) -> int:
    rep = users["rep1"]
    today = today_local()
    month = month_of(today)
    if db.session.scalar(select(VisitPlan.id).where(VisitPlan.rep_id == rep.id, VisitPlan.month == month)):
        return 0
    customers = list(db.session.scalars(select(Customer).where(Customer.owner_id == rep.id).order_by(Customer.id)))
    if not customers:
        return 0
    first, last = month_bounds(month)
    now = now_utc()
    plan = VisitPlan(rep=rep, month=month, status="approved", submitted_at=now, approved_at=now)
    rows = [(3, "客户维护", "产品目录、样品 PP-20"), (10, "新产品推广", "RO-500 宣传册"), (17, "结清货款", "对账单"),
            (26, "市场调查", "")]
    for n, (day, purpose, items) in enumerate(rows):
        plan.visits.append(PlannedVisit(customer=customers[n % len(customers)], date=min(first.replace(day=day), last),
                                        hours=Decimal("2.0"), purpose=purpose, items=items,
                                        expected_cost=Decimal("150.00")))
    db.session.add(plan)
    db.session.flush()
    visit = plan.visits[0]
    if visit.date <= today:
        filed = datetime.combine(visit.date + timedelta(days=1), time(17, 30), SHANGHAI).astimezone(UTC)
        db.session.add(VisitReport(rep=rep, planned_visit=visit, customer=visit.customer, visit_date=visit.date,
                                   outcome="客户对新一批滤芯质量满意,计划下月追加订单。", promises="月底前寄送 RO-500 报价单",
                                   filed_at=filed))
    return 1 + len(plan.visits)
