"""Targets (销售目标) and the reps' sales plans: breakdown adds up, the gm's approval, amendments, scope."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import Customer
from intranet.models.targets import SalesPlan
from intranet.services import approvals
from intranet.services import targets as svc
from intranet.services.errors import DomainError, Forbidden

YEAR = 2027


def _reps(users):
    return [users[f"rep{i}"] for i in range(1, 5)]


def _full_target(users, amount="1200000.00", actor="manager"):
    target = svc.create_target(users[actor], YEAR, Decimal(amount))
    per_cell = Decimal(amount) / 48
    svc.set_breakdown(users[actor], target, {(r.id, m): per_cell for r in _reps(users) for m in range(1, 13)})
    return target


def _approve(actor, doc_type, doc):
    request = approvals.request_for(doc_type, doc.id)
    return approvals.decide(actor, request.id, "approve")


def test_breakdown_must_add_up_and_the_message_gives_the_difference(users):
    target = svc.create_target(users["manager"], YEAR, Decimal("1000000.00"))
    svc.set_breakdown(users["manager"], target, {(users["rep1"].id, 1): Decimal("600000.00"),
                                                 (users["rep2"].id, 2): Decimal("399000.00")})
    with pytest.raises(DomainError) as refused:
        svc.submit_target(users["manager"], target)
    assert "1,000.00" in str(refused.value.message)  # 相差 1,000.00
    assert target.status == "draft"
    assert approvals.request_for(svc.TARGET_TYPE, target.id) is None
    svc.set_breakdown(users["manager"], target, {(users["rep1"].id, 1): Decimal("600000.00"),
                                                 (users["rep2"].id, 2): Decimal("401000.00")})
    with pytest.raises(DomainError, match="-1,000.00"):
        svc.submit_target(users["manager"], target)


def test_a_target_counts_only_once_the_gm_approved_it(users):
    target = _full_target(users)
    assert target.allocated == Decimal("1200000.00")
    svc.submit_target(users["manager"], target)
    assert target.status == "submitted"
    assert svc.effective_target(YEAR) is None
    with pytest.raises(Forbidden):  # the director is not the gm
        _approve(users["director"], svc.TARGET_TYPE, target)
    with pytest.raises(DomainError):  # locked while under approval
        svc.set_breakdown(users["manager"], target, {})
    _approve(users["gm"], svc.TARGET_TYPE, target)
    assert target.status == "approved"
    assert svc.effective_target(YEAR) is target
    # team lines carry the rep's team
    assert {ln.team_id for ln in target.lines} == {users["rep1"].team_id, users["rep3"].team_id}


def test_a_change_after_approval_is_an_amendment_approved_again(users):
    target = _full_target(users)
    svc.submit_target(users["manager"], target)
    _approve(users["gm"], svc.TARGET_TYPE, target)
    with pytest.raises(DomainError):
        svc.set_breakdown(users["manager"], target, {})
    amendment = svc.amend_target(users["director"], target)
    assert amendment.version == 2 and amendment.allocated == target.allocated
    assert svc.amend_target(users["director"], target) is amendment  # one open amendment
    svc.set_amount(users["director"], amendment, Decimal("1300000.00"))
    with pytest.raises(DomainError, match="100,000.00"):
        svc.submit_target(users["director"], amendment)
    cells = {(ln.rep_id, ln.month): ln.amount for ln in amendment.lines}
    cells[(users["rep1"].id, 12)] += Decimal("100000.00")
    svc.set_breakdown(users["director"], amendment, cells)
    svc.submit_target(users["director"], amendment)
    assert svc.effective_target(YEAR) is target  # the old one counts until the amendment is approved
    _approve(users["gm"], svc.TARGET_TYPE, amendment)
    assert svc.effective_target(YEAR) is amendment
    assert target.status == "superseded"


def test_only_the_director_or_manager_sets_targets_and_one_per_year(users):
    for role in ("rep1", "supervisor1", "gm", "assistant", "finance"):
        with pytest.raises(Forbidden):
            svc.create_target(users[role], YEAR, Decimal("1.00"))
    svc.create_target(users["manager"], YEAR, Decimal("1.00"))
    with pytest.raises(DomainError):
        svc.create_target(users["director"], YEAR, Decimal("2.00"))
    with pytest.raises(DomainError):
        svc.create_target(users["director"], 1999, Decimal("2.00"))


def _own_customer(rep):
    return db.session.scalar(select(Customer).where(Customer.owner_id == rep.id).order_by(Customer.id))


def test_rep_plan_is_approved_by_the_supervisor(users):
    rep1 = users["rep1"]
    plan = svc.create_plan(rep1, YEAR, 3)
    with pytest.raises(DomainError):
        svc.create_plan(rep1, YEAR, 3)
    with pytest.raises(DomainError):  # at least one line
        svc.submit_plan(rep1, plan)
    with pytest.raises(DomainError):  # someone else's customer
        svc.add_plan_line(rep1, plan, _own_customer(users["rep3"]).id, None, 1, Decimal("10.00"))
    svc.add_plan_line(rep1, plan, _own_customer(rep1).id, None, 2, Decimal("50000.00"))
    svc.submit_plan(rep1, plan)
    with pytest.raises(Forbidden):
        _approve(users["supervisor2"], svc.PLAN_TYPE, plan)
    _approve(users["supervisor1"], svc.PLAN_TYPE, plan)
    assert plan.status == "approved"
    amendment = svc.amend_plan(rep1, plan)
    assert amendment.total == plan.total and amendment.month == 3
    svc.submit_plan(rep1, amendment)
    _approve(users["supervisor1"], svc.PLAN_TYPE, amendment)
    assert plan.status == "superseded"


def test_annual_plan_and_scope(users):
    plan = svc.create_plan(users["rep1"], YEAR)
    assert plan.month is None and plan.period == str(YEAR)
    with pytest.raises(Forbidden):
        svc.create_plan(users["supervisor1"], YEAR)
    ids = lambda who: set(db.session.scalars(svc.visible_plans(users[who]).with_only_columns(  # noqa: E731
        SalesPlan.id)))
    assert plan.id in ids("rep1") and ids("rep1") == ids("supervisor1")  # the demo adds rep1's other plans
    assert ids("rep2") == set() and ids("supervisor2") == set()
    with pytest.raises(Forbidden):
        svc.add_plan_line(users["rep2"], plan, _own_customer(users["rep1"]).id, None, 0, Decimal("1.00"))
