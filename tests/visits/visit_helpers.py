"""Builders shared by the visit tests."""

from datetime import date
from decimal import Decimal

from intranet.extensions import db
from intranet.models import Customer
from intranet.services import approvals
from intranet.services import visits as svc


def customer_of(username: str) -> Customer:
    return db.session.scalar(db.select(Customer).where(Customer.owner.has(username=username)).order_by(Customer.id))


def approved_plan(users, username="rep1", month="2026-11", days=(date(2026, 11, 10),), now=None):
    rep = users[username]
    plan = svc.create_plan(rep, month, now=now)
    for day in days:
        svc.add_visit(rep, plan, customer_of(username).id, day, Decimal("2"), "客户维护", "样品", Decimal("100.00"))
    req = svc.submit_plan(rep, plan)
    approvals.decide(rep.reports_to, req.id, "approve")
    db.session.commit()
    assert plan.status == "approved"
    return plan


def clear_demo_visits(commit: bool = True) -> None:
    """The demo seeds plans and reports around today; tests that build their own start without them
    (and without the approval requests of the demo's submitted plan)."""
    from intranet.models import (
        ApprovalDecision,
        ApprovalReminder,
        ApprovalRequest,
        PlannedVisit,
        VisitPlan,
        VisitReport,
    )
    from intranet.models.visits import FollowUp

    plan_requests = db.select(ApprovalRequest.id).where(ApprovalRequest.doc_type == "visit_plan")
    for model in (ApprovalDecision, ApprovalReminder):
        db.session.execute(db.delete(model).where(model.request_id.in_(plan_requests)))
    db.session.execute(db.delete(ApprovalRequest).where(ApprovalRequest.doc_type == "visit_plan"))
    for model in (FollowUp, VisitReport, PlannedVisit, VisitPlan):
        db.session.execute(db.delete(model))
    if commit:
        db.session.commit()
