"""Sign-off: a review, then the director, then the general manager — always, in that order (SPEC 2.6)."""

from itertools import permutations

import pytest
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import Email, ReturnRequest
from intranet.services import approvals, audit
from intranet.services import returns as svc
from intranet.services.errors import DomainError, Forbidden


def _names(req):
    return [(s["approver_kind"], s.get("role")) for s in req.steps]


def test_every_order_of_decisions_only_review_director_gm_completes(app, users, make_return):
    """All 6 orders of the three signers: only supervisor → director → gm completes; every decision out
    of turn is refused and changes nothing."""
    signers = ("supervisor1", "director", "gm")
    for order in permutations(signers):
        doc = make_return("rep1")
        req = svc.approval_request(doc)
        assert _names(req) == [("line_manager", None), ("role", "director"), ("role", "gm")]
        signed = []
        for name in order:
            expected_next = signers[len(signed)]
            if name == expected_next:
                approvals.decide(users[name], req.id, "approve", "同意")
                db.session.commit()
                signed.append(name)
            else:
                with pytest.raises(Forbidden):
                    approvals.decide(users[name], req.id, "approve", "同意")
                db.session.rollback()
                assert req.current_step == len(signed)
        # whatever happened, finish in the only order that works
        for name in signers[len(signed):]:
            assert doc.status == "pending"
            approvals.decide(users[name], req.id, "approve", "同意")
        db.session.commit()
        assert req.status == "approved" and doc.status == "signed"
        approvers = [d.decider.username for d in req.decisions if d.action == "approve"]
        assert approvers == list(signers)


def test_gm_before_director_is_refused(app, users, make_return, sign):
    doc = make_return("rep1")
    req = sign(doc, "supervisor1")
    with pytest.raises(Forbidden):
        approvals.decide(users["gm"], req.id, "approve")
    db.session.rollback()
    sign(doc, "director")
    with pytest.raises(Forbidden):  # nobody signs twice: the director cannot take the gm step too
        approvals.decide(users["director"], req.id, "approve")
    db.session.rollback()
    approvals.decide(users["gm"], req.id, "approve")
    db.session.commit()
    assert doc.status == "signed" and doc.signed_at is not None


def test_route_without_gm_still_requires_gm_last(app, users, make_return, sign):
    """The route editor drops the gm and puts the director first: returns still end director → gm."""
    approvals.save_route(users["director"], "return", [
        approvals.step_dict("总监先审", "role", "director"),
        approvals.step_dict("经理审核", "role", "manager", min_amount="100.00"),
        approvals.step_dict("总监再审", "role", "director"),
    ])
    db.session.commit()
    doc = make_return("rep1")
    req = svc.approval_request(doc)
    assert _names(req) == [("role", "manager"), ("role", "director"), ("role", "gm")]
    assert req.steps[-2]["name"] == "总监先审"  # the route's own name is kept, the duplicate removed
    sign(doc, "manager", "director")
    assert doc.status == "pending"  # not done without the general manager
    assert [u.username for u in approvals.holders(req)] == ["gm"]
    sign(doc, "gm")
    assert doc.status == "signed"


def test_route_with_only_a_gm_amount_threshold_still_requires_both(app, users, make_return, sign):
    """Amount limits never apply to the director and gm steps of a return."""
    approvals.save_route(users["manager"], "return", [
        approvals.step_dict("总经理签批", "role", "gm", min_amount="99999.00"),
    ])
    db.session.commit()
    doc = make_return("rep1", qty=1)
    req = svc.approval_request(doc)
    assert _names(req) == [("role", "director"), ("role", "gm")]
    assert all(s["min_amount"] is None for s in req.steps)


def test_director_cannot_sign_own_return_which_needs_gm_and_another_approver(app, users, make_return, sign):
    doc = make_return("director")
    req = svc.approval_request(doc)
    # The director's line manager is the gm (who signs last anyway): a manager reviews in the director's place.
    assert _names(req) == [("role", "manager"), ("role", "gm")]
    with pytest.raises(Forbidden, match="不能审批自己"):
        approvals.decide(users["director"], req.id, "approve")
    with pytest.raises(Forbidden):  # the gm waits for the other approver
        approvals.decide(users["gm"], req.id, "approve")
    sign(doc, "manager")
    with pytest.raises(Forbidden, match="不能审批自己"):
        approvals.decide(users["director"], req.id, "approve")
    assert doc.status == "pending"
    sign(doc, "gm")
    assert doc.status == "signed"
    assert [d.decider.username for d in req.decisions if d.action == "approve"] == ["manager", "gm"]


def test_director_return_uses_the_routes_own_reviewer(app, users, make_return, sign):
    approvals.save_route(users["manager"], "return", [
        approvals.step_dict("经理审核", "role", "manager"), approvals.step_dict("总监审批", "role", "director"),
        approvals.step_dict("总经理签批", "role", "gm")])
    db.session.commit()
    req = svc.approval_request(make_return("director"))
    assert _names(req) == [("role", "manager"), ("role", "gm")]


def test_with_a_second_director_the_other_director_signs(app, users, make_user, make_return, sign):
    other = make_user("director", name="副总监", reports_to_id=users["gm"].id)
    doc = make_return("director")
    req = svc.approval_request(doc)
    assert _names(req) == [("role", "director"), ("role", "gm")]
    assert [u.id for u in approvals.holders(req)] == [other.id]


def test_manager_return_is_not_signed_twice_by_the_director(app, users, make_return, sign):
    """A manager's line manager is the director: that review is dropped, the director signs once."""
    req = svc.approval_request(make_return("manager"))
    assert _names(req) == [("role", "director"), ("role", "gm")]


def test_supervisor_return_is_reviewed_by_the_manager(app, users, make_return):
    req = svc.approval_request(make_return("supervisor1"))
    assert [u.username for u in approvals.holders(req)] == ["manager"]


def test_assistant_who_filled_the_complaint_cannot_approve(app, users, make_return, sign):
    approvals.save_route(users["manager"], "return", [
        approvals.step_dict("内勤复核", "role", "assistant"), approvals.step_dict("主管审核", "line_manager")])
    db.session.commit()
    doc = make_return("rep1")
    req = svc.approval_request(doc)
    assert users["assistant"].id in req.preparer_ids
    # the only assistant prepared it, so that step could never be decided: it is not on the route
    assert _names(req) == [("line_manager", None), ("role", "director"), ("role", "gm")]
    with pytest.raises(Forbidden):
        approvals.decide(users["assistant"], req.id, "approve")


def test_each_signer_gets_one_email_and_the_rep_one_when_signed(app, users, make_return, sign):
    doc = make_return("rep1")
    req = svc.approval_request(doc)

    def mails(name):
        return db.session.scalars(select(Email).where(Email.to_addr == users[name].email,
                                                      Email.key.like(f"approval:{req.id}:%"))).all()

    assert len(mails("supervisor1")) == 1 and not mails("director") and not mails("gm")
    sign(doc, "supervisor1")
    assert len(mails("director")) == 1 and not mails("gm")
    sign(doc, "director")
    assert len(mails("gm")) == 1 and len(mails("supervisor1")) == 1 and len(mails("director")) == 1
    assert not mails("rep1")
    sign(doc, "gm")
    assert len(mails("rep1")) == 1 and "已审批通过" in mails("rep1")[0].subject
    tracking = db.session.scalars(select(Email).where(Email.key == f"return:{doc.id}:signed:u{users['assistant'].id}"))
    assert len(tracking.all()) == 1


def test_rejection_ends_it_and_the_rep_gets_the_reason(app, users, make_return, sign):
    doc = make_return("rep1")
    sign(doc, "supervisor1")
    req = svc.approval_request(doc)
    with pytest.raises(DomainError):
        approvals.decide(users["director"], req.id, "reject", "")  # a reason is required
    db.session.rollback()
    approvals.decide(users["director"], req.id, "reject", "无质量问题，不予退货")
    db.session.commit()
    assert doc.status == "rejected"
    rep_mail = db.session.scalars(select(Email).where(Email.to_addr == users["rep1"].email,
                                                      Email.key.like(f"approval:{req.id}:%"))).all()
    assert len(rep_mail) == 1 and "无质量问题，不予退货" in rep_mail[0].body
    with pytest.raises(DomainError):  # it is over: nothing more to edit or submit
        svc.submit(users["rep1"], doc)
    with pytest.raises(DomainError, match="已被他人处理"):
        approvals.decide(users["gm"], req.id, "approve")


def test_quality_return_waits_for_the_complaint_form_then_goes_up(app, users, make_return, product):
    doc = make_return("rep1", complaint=False)
    assert doc.status == "awaiting_complaint" and svc.approval_request(doc) is None
    todo_keys = [e.key for e in db.session.scalars(select(Email).where(Email.to_addr == users["assistant"].email))]
    assert any(k.startswith(f"return:{doc.id}:complaint") for k in todo_keys)
    svc.save_complaint(users["assistant"], doc, {"product_id": product.id, "batch": "", "defect": "漏水",
                                                 "customer_demand": "退货", "proposed_handling": "同意"})
    db.session.commit()
    req = svc.approval_request(doc)
    assert doc.status == "pending" and req.submitter_id == users["rep1"].id
    assert users["assistant"].id in req.preparer_ids
    with pytest.raises(DomainError):  # locked once it is under way
        svc.save_complaint(users["assistant"], doc, {"product_id": product.id, "defect": "x",
                                                     "customer_demand": "x", "proposed_handling": "x"})


def test_returned_for_changes_then_resubmitted(app, users, make_return, sign, product):
    doc = make_return("rep1")
    req = svc.approval_request(doc)
    approvals.decide(users["supervisor1"], req.id, "return", "请补充批号")
    db.session.commit()
    assert doc.status == "returned" and svc.can_edit(users["rep1"], doc)
    svc.update(users["rep1"], doc, {**svc.snapshot(doc), "customer_name": "新客户", "reason": "quality",
                                    "cost_split": "各半"}, [svc.LineInput(product.id, 3, doc.lines[0].unit_price)])
    svc.submit(users["rep1"], doc)
    db.session.commit()
    assert doc.status == "pending" and req.round == 2 and doc.total_amount == 3 * doc.lines[0].unit_price
    sign(doc, "supervisor1", "director", "gm")
    assert doc.status == "signed"


def test_withdraw_before_any_decision(app, users, make_return):
    doc = make_return("rep1")
    assert svc.can_withdraw(users["rep1"], doc) and not svc.can_withdraw(users["rep2"], doc)
    svc.withdraw(users["rep1"], doc)
    db.session.commit()
    assert doc.status == "withdrawn" and svc.can_edit(users["rep1"], doc)


def test_only_the_owner_submits_and_edits(app, users, make_return):
    doc = make_return("rep1", submit=False)
    with pytest.raises(Forbidden):
        svc.submit(users["rep2"], doc)
    with pytest.raises(Forbidden):
        svc.submit(users["supervisor1"], doc)
    with pytest.raises(Forbidden):
        svc.create(users["assistant"], {}, [])


def test_every_state_change_is_audited_and_the_chain_holds(app, users, make_return, sign):
    doc = make_return("rep1")
    sign(doc, "supervisor1", "director", "gm")
    actions = [e.action for e in audit.entries_for(db.session.get(ReturnRequest, doc.id))]
    assert actions == ["return.create", "return.complaint", "return.submitted", "return.signed"]
    assert audit.verify() is None
