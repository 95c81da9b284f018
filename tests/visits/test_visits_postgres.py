"""The same rules on PostgreSQL (the production database): scope, approval, deadlines, figures, reminders."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from visit_helpers import clear_demo_visits

from intranet.extensions import db
from intranet.models import Customer, Email, User, VisitPlan
from intranet.services import approvals
from intranet.services import customers as customer_rules
from intranet.services import visits as svc

pytestmark = pytest.mark.postgres


def test_plan_report_and_figures_on_postgresql(pg_app):
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    rep1 = users["rep1"]
    clear_demo_visits(commit=False)
    assert customer_rules.duplicates(" 上海宏达水处理设备有限公司")
    names = {c.name for c in db.session.scalars(customer_rules.visible_query(users["supervisor1"]))}
    assert "南京金陵食品有限公司" in names and "广州珠江饮料有限公司" not in names
    customer = db.session.scalar(db.select(Customer).where(Customer.owner_id == rep1.id).order_by(Customer.id))
    plan = svc.create_plan(rep1, "2026-11", now=datetime(2026, 11, 1, tzinfo=UTC))
    svc.add_visit(rep1, plan, customer.id, date(2026, 11, 30), Decimal("1.5"), "结清货款", "", Decimal("80.00"))
    req = svc.submit_plan(rep1, plan)
    approvals.decide(users["supervisor1"], req.id, "approve")
    db.session.commit()
    assert db.session.get(VisitPlan, plan.id).status == "approved"
    report = svc.file_report(rep1, outcome="收回货款", planned_visit=plan.visits[0],
                             now=datetime(2026, 12, 2, 16, 0, tzinfo=UTC))  # 3 Dec 00:00 Shanghai
    assert svc.filed_late(report)
    rows, _teams = svc.plan_vs_actual(users["manager"], "2026-11", now=datetime(2026, 12, 5, tzinfo=UTC))
    fig = next(f for f in rows if f.rep.id == rep1.id)
    assert (fig.planned, fig.done, fig.late, fig.rate) == (1, 1, 1, Decimal("100.0"))
    db.session.commit()
    now = datetime(2026, 11, 29, 1, tzinfo=UTC)
    svc.send_reminders(now)
    db.session.commit()
    count = db.session.scalar(db.select(db.func.count(Email.id)))
    assert count > 0
    assert sum(svc.send_reminders(now).values()) == 0
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Email.id))) == count
