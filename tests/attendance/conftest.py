"""Helpers for the attendance tests: the frozen clock, clocking in through the real service, visits."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from intranet.clock import SHANGHAI
from intranet.extensions import db
from intranet.models import Customer
from intranet.models.visits import PlannedVisit, VisitPlan
from intranet.services import approvals
from intranet.services import attendance as svc


def at(day: date, hour: int = 10, minute: int = 0, second: int = 0):
    """A frozen Shanghai wall clock."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI),
                               tick=False)


@pytest.fixture
def clock_in(app):
    """clock_in(user, day, 9, 10, 1, out=(17, 45)) → checks in (and out) through the service at that time."""

    def _clock(user, day, hour, minute, second=0, out=None):
        with at(day, hour, minute, second):
            svc.check_in(user)
            db.session.commit()
        if out:
            with at(day, *out):
                svc.check_out(user)
                db.session.commit()

    return _clock


@pytest.fixture
def approved_visit(app):
    """approved_visit(rep, day) → an approved plan with one visit on that day."""

    def _visit(rep, day):
        customer = db.session.scalar(select(Customer).order_by(Customer.id))
        plan = VisitPlan(rep=rep, month=f"{day:%Y-%m}", status="approved")
        plan.visits.append(PlannedVisit(customer=customer, date=day, purpose="客户维护", hours=Decimal("2.0")))
        db.session.add(plan)
        db.session.commit()
        return plan.visits[0]

    return _visit


@pytest.fixture
def decide_all(users):
    """decide_all(doc_type, doc, "supervisor1", "assistant") → approve each step in turn (committed)."""

    def _decide(doc_type, doc, *usernames):
        req = approvals.request_for(doc_type, doc.id)
        for name in usernames:
            approvals.decide(users[name], req.id, "approve", "同意")
        db.session.commit()
        return req

    return _decide


@pytest.fixture
def manager_settings(users):
    """manager_settings(late_grace_minutes="5") → the manager changes company settings (committed)."""
    from intranet.services import settings

    def _set(**values):
        settings.update(users["manager"], values)
        db.session.commit()

    return _set
