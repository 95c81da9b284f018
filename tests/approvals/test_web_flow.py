"""Acceptance 1: a 2-step test document runs end to end through the web for real users:
submit, return with comment, resubmit, approve (supervisor), approve (manager)."""

from sqlalchemy import func, select

from intranet.extensions import db
from intranet.models import ApprovalRequest, AuditEntry, Email, Todo
from intranet.services import approvals as engine
from intranet.services.audit import verify

from .conftest import DOC_TYPE

HX = {"HX-Request": "true"}


def _emails_to(user):
    return db.session.scalars(select(Email).where(Email.to_addr == user.email).order_by(Email.id)).all()


def _todos_for(user):
    return db.session.scalars(select(Todo).where(Todo.user_id == user.id).order_by(Todo.id)).all()


def _decide(client, req, action, comment="", hx=True):
    data = {"action": action, "comment": comment, "step_index": req.current_step, "round": req.round}
    return client.post(f"/approvals/{req.id}/decide", data=data, headers=HX if hx else {})


def test_two_step_document_end_to_end(users, new_doc, adapter, login):
    rep1, sup1, manager = users["rep1"], users["supervisor1"], users["manager"]
    doc = new_doc(rep1, title="十一月华东客户走访计划")

    # submit (submission belongs to each workflow: here a service call, committed like a request)
    req = engine.submit(rep1, DOC_TYPE, doc)
    db.session.commit()
    assert req.status == "pending" and [s["name"] for s in req.steps] == ["主管审批", "经理审批"]
    assert [e.subject for e in _emails_to(sup1)] == ["待审批：十一月华东客户走访计划"]
    assert [t.text for t in _todos_for(sup1)] == ["待审批：十一月华东客户走访计划"]
    assert _emails_to(manager) == []  # step 2 is not reached yet

    sup = login("supervisor1")
    page = sup.get("/approvals/")
    assert page.status_code == 200 and "十一月华东客户走访计划" in page.text and "周杰" in page.text
    assert 'id="approval-badge" class="badge"' in page.text and ">1</span>" in page.text

    # return without a comment: refused, the message next to the field, nothing written
    r = _decide(sup, req, "return")
    assert r.status_code == 200 and "<html" not in r.text
    assert "驳回或退回时必须填写意见" in r.text and 'aria-invalid="true"' in r.text
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, req.id).status == "pending"

    # return with a comment: the row is replaced by its decided state, the badge drops out of band
    r = _decide(sup, req, "return", "请补充拜访目的")
    assert r.status_code == 200 and "<html" not in r.text
    assert f'id="approval-row-{req.id}"' in r.text and "已退回修改" in r.text
    assert 'id="approval-badge"' in r.text and 'hx-swap-oob="true"' in r.text and ">0</span>" in r.text
    db.session.expire_all()
    req = db.session.get(ApprovalRequest, req.id)
    assert req.status == "returned" and doc.state == "returned"
    assert _emails_to(rep1)[-1].subject == "「十一月华东客户走访计划」已退回修改"
    assert "请补充拜访目的" in _emails_to(rep1)[-1].body
    assert _todos_for(rep1)[-1].link == "/approvals/mine"

    # the submitter sees it on "我的申请" and resubmits
    rep = login("rep1")
    mine = rep.get("/approvals/mine")
    assert "已退回修改" in mine.text
    doc.title = "十一月华东客户走访计划（补充目的）"
    engine.submit(rep1, DOC_TYPE, doc)
    db.session.commit()
    db.session.expire_all()
    req = db.session.get(ApprovalRequest, req.id)
    assert (req.status, req.round, req.current_step) == ("pending", 2, 0)
    assert len(_emails_to(sup1)) == 2  # a new round is a new inbox item

    # step 1 approved without JavaScript: plain POST, 303 back to the inbox
    r = _decide(sup, req, "approve", hx=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/approvals/")
    db.session.expire_all()
    req = db.session.get(ApprovalRequest, req.id)
    assert (req.status, req.current_step) == ("pending", 1)
    assert [e.subject for e in _emails_to(manager)] == ["待审批：十一月华东客户走访计划（补充目的）"]
    assert any(t.text.startswith("待审批") for t in _todos_for(manager))

    # a stale page (the step the supervisor saw has moved on) answers 已被他人处理 with the fresh row
    r = sup.post(f"/approvals/{req.id}/decide", data={"action": "approve", "step_index": 0, "round": 2},
                 headers=HX)
    assert r.status_code == 409 and "已被他人处理" in r.text and "审批中" in r.text

    # step 2: the manager approves from the drawer's form (HX-Redirect back to the inbox)
    mgr = login("manager")
    drawer = mgr.get(f"/approvals/{req.id}", headers=HX)
    assert drawer.status_code == 200 and "<html" not in drawer.text and 'name="view" value="form"' in drawer.text
    r = mgr.post(f"/approvals/{req.id}/decide", headers=HX, data={
        "action": "approve", "step_index": 1, "round": 2, "view": "form", "next": "/approvals/"})
    assert r.status_code == 200 and r.headers["HX-Redirect"] == "/approvals/"
    db.session.expire_all()
    req = db.session.get(ApprovalRequest, req.id)
    assert req.status == "approved" and req.finished_at is not None and doc.state == "approved"
    assert doc.events == ["submitted", "returned", "submitted", "approved"]
    assert _emails_to(rep1)[-1].subject == "「十一月华东客户走访计划（补充目的）」已审批通过"

    # history: every decision, in order, with its round; the audit trail has each one and verifies
    assert [(d.round, d.action, d.decider.username) for d in req.decisions] == [
        (1, "submit", "rep1"), (1, "return", "supervisor1"), (2, "submit", "rep1"),
        (2, "approve", "supervisor1"), (2, "approve", "manager")]
    detail = rep.get(f"/approvals/{req.id}")
    assert detail.status_code == 200
    for text in ("请补充拜访目的", "刘洋", "张伟", "退回修改", "已通过", "第 2 次提交", "/testdoc/1"):
        assert text in detail.text
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("approval.%"))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["approval.submit", "approval.return", "approval.submit", "approval.approve",
                       "approval.approve"]
    assert verify() is None
    # supervisor ×2 (two rounds), rep1 returned, manager, rep1 approved
    assert db.session.scalar(select(func.count(Email.id))) == 5


def test_detail_and_decide_are_scoped(users, submitted, login):
    req = submitted(users["rep1"])
    for outsider in ("rep2", "supervisor2", "finance"):
        c = login(outsider)
        assert c.get(f"/approvals/{req.id}").status_code == 404
        assert c.post(f"/approvals/{req.id}/decide", data={"action": "approve"}).status_code == 404
    assert login("rep1").get(f"/approvals/{req.id}").status_code == 200
    assert login("gm").get(f"/approvals/{req.id}").status_code == 200  # leadership sees all
    # named on the route (role manager on step 2) → may look before it is their turn
    assert login("manager").get(f"/approvals/{req.id}").status_code == 200
    assert login("rep1").get("/approvals/999999").status_code == 404


def test_submitter_cannot_decide_through_the_web(users, submitted, login):
    req = submitted(users["rep1"])
    r = login("rep1").post(f"/approvals/{req.id}/decide", data={"action": "approve"}, headers=HX)
    assert r.status_code == 409 and "双人复核" in r.text
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, req.id).status == "pending"


def test_no_js_missing_comment_rerenders_inbox_with_field_error(users, submitted, login):
    req = submitted(users["rep1"])
    r = login("supervisor1").post(f"/approvals/{req.id}/decide", data={"action": "reject", "comment": " "})
    assert r.status_code == 200 and "<html" in r.text
    assert "驳回或退回时必须填写意见" in r.text and 'aria-invalid="true"' in r.text


def test_decision_form_partial_on_a_document_page(app, users, submitted, login):
    """Other workflows include the two partials; without JS the form is a plain POST back to `next`."""
    req = submitted(users["rep1"])
    from flask import render_template_string
    from flask_login import login_user

    tpl = '{% include "approvals/_decision_form.html" %}{% include "approvals/_history.html" %}'
    with app.test_request_context("/docs/1"):
        login_user(users["supervisor1"])
        html = render_template_string(tpl, req=req)
        assert 'action="/approvals/1/decide"' in html and 'name="next" value="/docs/1"' in html
        assert "主管审批" in html and "待审批人：刘洋" in html
    with app.test_request_context("/docs/1"):
        login_user(users["rep2"])
        html = render_template_string(tpl, req=req)
        assert "/decide" not in html and "审批记录" in html

    sup = login("supervisor1")
    r = sup.post(f"/approvals/{req.id}/decide", data={"action": "reject", "view": "form", "next": "/docs/1"},
                 headers=HX)
    assert r.status_code == 200 and "驳回或退回时必须填写意见" in r.text and f'id="decision-{req.id}"' in r.text
    r = sup.post(f"/approvals/{req.id}/decide", data={"action": "approve", "view": "form",
                                                       "next": "https://evil.example/"})
    assert r.status_code == 303 and r.headers["Location"] == "/approvals/"
