"""Finding 5 / acceptance 4: a 按角色 step below the department level is scoped to the submitter's line,
and the route editor refuses roles that cannot approve."""

import expense_helpers as h
import pytest

from intranet.extensions import db
from intranet.services import approvals, expenses
from intranet.services.errors import DomainError


def _route(users, *roles):
    approvals.save_route(users["manager"], "expense",
                         [approvals.step_dict(f"{r} 审批", approvals.ROLE, r) for r in roles])
    db.session.commit()


def _submitted(users, who="rep1"):
    claim = h.claim(users[who], "80.00")
    expenses.submit_claim(users[who], claim)
    db.session.commit()
    return approvals.request_for("expense", claim.id)


def test_a_supervisor_role_step_means_the_submitters_own_supervisor(users):
    _route(users, "supervisor")
    req = _submitted(users, "rep1")
    assert users["rep1"].reports_to_id == users["supervisor1"].id
    assert [u.username for u in approvals.step_deciders(req, req.step)] == ["supervisor1"]
    assert req in approvals.inbox(users["supervisor1"])
    assert req not in approvals.inbox(users["supervisor2"])
    assert not approvals.can_view(users["supervisor2"], req)


def test_supervisor2_cannot_decide_team_1s_document_whatever_the_route_says(users, login):
    _route(users, "supervisor")
    req = _submitted(users, "rep1")
    response = login("supervisor2").post(f"/approvals/{req.id}/decide", data={
        "action": "approve", "step_index": req.current_step, "round": req.round})
    assert response.status_code == 404
    db.session.refresh(req)
    assert req.status == "pending"
    assert f"/approvals/{req.id}" not in login("supervisor2").get("/approvals/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["rep"])
def test_the_editor_refuses_a_role_that_cannot_approve(users, role):
    with pytest.raises(DomainError):
        approvals.save_route(users["manager"], "expense", [approvals.step_dict("代表审批", approvals.ROLE, role)])


def test_the_route_editor_form_offers_no_rep_role(login):
    page = login("manager").get("/approvals/routes/expense").get_data(as_text=True)
    assert 'value="rep"' not in page
    response = login("manager").post("/approvals/routes/expense", data={
        "op": "save", "steps-0-name": "代表", "steps-0-approver_kind": "role", "steps-0-role": "rep",
        "steps-0-reviewers": "1"})
    assert response.status_code == 200
    assert approvals.route_steps("expense")[0].get("role") != "rep"


def test_an_old_route_naming_the_rep_role_lets_no_rep_approve(users):
    """A route stored before the editor refused it: rep4 never approves rep1's document; the step
    goes up to the department's manager instead of waiting for nobody."""
    from intranet.models.approvals import ApprovalRoute, RouteStep

    route = db.session.scalar(db.select(ApprovalRoute).where(ApprovalRoute.doc_type == "expense"))
    if route is None:
        route = ApprovalRoute(doc_type="expense")
        db.session.add(route)
    route.steps = [RouteStep(position=0, name="代表", approver_kind=approvals.ROLE, role="rep", reviewers=1)]
    db.session.commit()
    req = _submitted(users, "rep1")
    assert approvals.named_deciders(req, req.step) == []
    assert [u.username for u in approvals.step_deciders(req, req.step)] == ["manager"]
    assert req not in approvals.inbox(users["rep4"])
