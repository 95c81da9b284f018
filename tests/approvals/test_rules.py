"""Acceptance 2: the engine's rules, tested at the service level."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import ApprovalDecision, AuditEntry
from intranet.services import approvals as engine
from intranet.services.errors import AlreadyDecided, DomainError, Forbidden
from intranet.web.formatting import today_local

from .conftest import DOC_TYPE


def _route(users, *steps):
    engine.save_route(users["manager"], DOC_TYPE, list(steps))
    db.session.commit()


def test_submitter_cannot_approve_even_as_director(users, adapter, submitted):
    _route(users, engine.step_dict("总监审批", "role", "director"))
    req = submitted(users["director"])
    with pytest.raises(Forbidden, match="双人复核"):
        engine.decide(users["director"], req.id, "approve")
    assert engine.inbox(users["director"]) == []
    assert engine.bulk_decide(users["director"], [req.id], "approve") == {
        req.id: "不能审批自己提交或经办的单据（双人复核）"}
    # nobody else holds 总监审批: it goes one level up, to the general manager
    assert req.status == "pending" and [u.username for u in engine.holders(req)] == ["gm"]


def test_preparer_cannot_approve(users, adapter, submitted):
    """Whoever prepared or issued the thing is excluded too (here the supervisor filled it in for rep1)."""
    req = submitted(users["rep1"], preparers=(users["supervisor1"],))
    assert req.preparer_ids == [users["supervisor1"].id]
    with pytest.raises(Forbidden):
        engine.decide(users["supervisor1"], req.id, "approve")


def test_only_the_owner_submits_and_only_once(users, adapter, new_doc):
    doc = new_doc(users["rep1"])
    with pytest.raises(Forbidden):
        engine.submit(users["rep2"], DOC_TYPE, doc)
    engine.submit(users["rep1"], DOC_TYPE, doc)
    with pytest.raises(DomainError, match="不能重复提交"):
        engine.submit(users["rep1"], DOC_TYPE, doc)


@pytest.mark.calendar
def test_delegation_works_and_is_shown(users, adapter, submitted, login):
    sup1, sup2 = users["supervisor1"], users["supervisor2"]
    today = today_local()
    engine.delegate(sup1, sup2, today, today + timedelta(days=5), "年假")
    db.session.commit()
    req = submitted(users["rep1"])
    assert engine.inbox(sup2) == [req]
    assert engine.capacity(sup2, req).id == sup1.id
    # the delegate got the inbox mail too
    from intranet.models import Email
    assert db.session.scalar(select(Email.id).where(Email.to_addr == sup2.email)) is not None

    engine.decide(sup2, req.id, "approve", step_index=0)
    db.session.commit()
    decision = req.decisions[-1]
    assert (decision.decider_id, decision.on_behalf_of_id) == (sup2.id, sup1.id)
    assert engine.decision_label(decision) == "刘洋（由 陈静 代审批）"
    # the principal cannot decide the same step again through the back door
    assert engine.capacity(sup1, req) is None and req.current_step == 1
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "approval.approve")).one()
    assert audit.after["on_behalf_of"] == "supervisor1" and audit.actor_id == sup2.id
    page = login("rep1").get(f"/approvals/{req.id}")
    assert "刘洋（由 陈静 代审批）" in page.text


@pytest.mark.calendar
def test_delegation_rules(users, adapter):
    today = today_local()
    with pytest.raises(DomainError, match="同级或更高"):
        engine.delegate(users["director"], users["manager"], today, today)
    with pytest.raises(DomainError, match="自己"):
        engine.delegate(users["manager"], users["manager"], today, today)
    with pytest.raises(DomainError, match="结束日期"):
        engine.delegate(users["manager"], users["director"], today, today - timedelta(days=1))
    # outside its dates, or cancelled, a delegation gives nothing
    later = engine.delegate(users["supervisor1"], users["supervisor2"], today + timedelta(days=3),
                            today + timedelta(days=4))
    assert engine.active_delegations_to(users["supervisor2"]) == []
    now = engine.delegate(users["supervisor1"], users["supervisor2"], today, today)
    assert engine.active_delegations_to(users["supervisor2"]) == [now]
    engine.cancel_delegation(users["supervisor1"], now)
    assert engine.active_delegations_to(users["supervisor2"]) == []
    with pytest.raises(Forbidden):
        engine.cancel_delegation(users["supervisor2"], later)


def test_delegation_cannot_make_someone_approve_their_own_document(users, adapter, submitted):
    """The manager delegates to the director; the director's own document routed to the manager
    is still not the director's to decide."""
    _route(users, engine.step_dict("经理审批", "role", "manager"))
    today = today_local()
    engine.delegate(users["manager"], users["director"], today, today + timedelta(days=2))
    db.session.commit()
    own = submitted(users["director"])
    other = submitted(users["rep1"])
    assert engine.inbox(users["director"]) == [other]  # the delegation works for others' documents
    with pytest.raises(Forbidden, match="双人复核"):
        engine.decide(users["director"], own.id, "approve")
    assert engine.bulk_decide(users["director"], [own.id, other.id], "approve") == {
        own.id: "不能审批自己提交或经办的单据（双人复核）", other.id: None}
    assert own.status == "pending" and other.status == "approved"


def test_two_reviewer_step_needs_two_different_people(users, adapter, submitted, make_user):
    _route(users, engine.step_dict("双人复核", "role", "manager", reviewers=2))
    manager, manager2 = users["manager"], make_user("manager", name="第二经理")
    req = submitted(users["rep1"])
    engine.decide(manager, req.id, "approve", step_index=0)
    assert (req.status, req.current_step) == ("pending", 0)
    assert engine.inbox(manager) == [] and engine.holders(req) == [manager2]
    with pytest.raises(Forbidden, match="两位不同的复核人"):
        engine.decide(manager, req.id, "approve", step_index=0)
    # nor through a delegation from the first reviewer
    today = today_local()
    engine.delegate(manager, users["director"], today, today)
    with pytest.raises(Forbidden):
        engine.decide(users["director"], req.id, "approve", step_index=0)
    engine.decide(manager2, req.id, "approve", step_index=0)
    assert req.status == "approved"
    approvers = [d.decider_id for d in req.decisions if d.action == "approve"]
    assert approvers == [manager.id, manager2.id]
    db.session.commit()
    # the database refuses a second row for the same person and step anyway
    db.session.add(ApprovalDecision(request_id=req.id, round=1, step_index=0, action="approve",
                                    decider_id=manager.id))
    with pytest.raises(Exception, match="UNIQUE|unique"):
        db.session.flush()
    db.session.rollback()


def test_route_changes_do_not_affect_documents_already_submitted(users, adapter, submitted, login):
    before = submitted(users["rep1"])  # default route: supervisor, then manager
    _route(users, engine.step_dict("总监审批", "role", "director"))
    after = submitted(users["rep2"])
    assert [s["name"] for s in before.steps] == ["主管审批", "经理审批"]
    assert [s["name"] for s in after.steps] == ["总监审批"]
    engine.decide(users["supervisor1"], before.id, "approve")
    engine.decide(users["manager"], before.id, "approve")
    assert before.status == "approved"
    assert engine.inbox(users["director"]) == [after]
    # a resubmission keeps the snapshot too
    engine.decide(users["director"], after.id, "return", "补充")
    _route(users, engine.step_dict("经理审批", "role", "manager"))
    engine.submit(users["rep2"], DOC_TYPE, adapter.docs[after.doc_id])
    assert [s["name"] for s in after.steps] == ["总监审批"]
    update = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "approval.route.update")
                                .order_by(AuditEntry.id)).first()
    assert update.before["steps"][0]["name"] == "主管审批" and update.after["steps"][0]["name"] == "总监审批"


def test_amount_threshold_steps(users, adapter, submitted):
    _route(users, engine.step_dict("主管审批", "line_manager"),
           engine.step_dict("经理审批", "role", "manager", min_amount=Decimal("2000.00")),
           engine.step_dict("总监审批", "role", "director", min_amount=Decimal("10000.00")))
    small = submitted(users["rep1"], amount=Decimal("2000.00"))
    middle = submitted(users["rep1"], amount=Decimal("2000.01"))
    large = submitted(users["rep1"], amount=Decimal("10000.01"))
    assert [len(r.steps) for r in (small, middle, large)] == [1, 2, 3]
    assert large.amount == Decimal("10000.01")


def test_second_line_manager_step(users, adapter, submitted):
    _route(users, engine.step_dict("上级的上级", "second_line_manager"))
    req = submitted(users["rep1"])
    assert engine.holders(req) == [users["manager"]]


def test_comment_required_and_reject_ends_it(users, adapter, submitted):
    req = submitted(users["rep1"])
    with pytest.raises(DomainError) as exc:
        engine.decide(users["supervisor1"], req.id, "reject", "  ")
    assert exc.value.field == "comment"
    engine.decide(users["supervisor1"], req.id, "reject", "不符合规定")
    assert req.status == "rejected" and adapter.docs[req.doc_id].state == "rejected"
    with pytest.raises(AlreadyDecided, match="已被他人处理"):
        engine.decide(users["supervisor1"], req.id, "approve")
    with pytest.raises(DomainError):
        engine.submit(users["rep1"], DOC_TYPE, adapter.docs[req.doc_id])  # rejected is final


def test_withdraw_only_before_the_first_decision(users, adapter, submitted):
    req = submitted(users["rep1"])
    with pytest.raises(Forbidden):
        engine.withdraw(users["rep2"], req.id)
    engine.withdraw(users["rep1"], req.id)
    assert req.status == "withdrawn" and engine.inbox(users["supervisor1"]) == []
    engine.submit(users["rep1"], DOC_TYPE, adapter.docs[req.doc_id])
    engine.decide(users["supervisor1"], req.id, "approve")
    with pytest.raises(DomainError, match="已有人审批"):
        engine.withdraw(users["rep1"], req.id)
