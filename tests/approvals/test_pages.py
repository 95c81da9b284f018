
"""The other approval pages: my submissions (withdraw), the route editor, delegations, the desk card."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from intranet.extensions import db
from intranet.models import ApprovalRequest, AuditEntry, Delegation
from intranet.services import approvals as engine
from intranet.web.formatting import today_local

from .conftest import DOC_TYPE

HX = {"HX-Request": "true"}


def test_my_submissions_show_status_holder_and_withdraw(users, submitted, login):
    req = submitted(users["rep1"], title="样品申请单")
    other = submitted(users["rep2"], title="别人的单")
    rep = login("rep1")
    page = rep.get("/approvals/mine")
    assert "样品申请单" in page.text and "别人的单" not in page.text
    assert "刘洋" in page.text and "审批中" in page.text  # held by the line manager
    assert f'action="/approvals/{req.id}/withdraw"' in page.text

    assert rep.post(f"/approvals/{other.id}/withdraw").status_code == 404  # not theirs to see
    r = rep.post(f"/approvals/{req.id}/withdraw", headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and "已撤回" in r.text
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, req.id).status == "withdrawn"
    assert f'/approvals/{req.id}/withdraw"' not in rep.get("/approvals/mine").text

    # once someone decided, withdrawing is refused with a message
    engine.submit(users["rep1"], DOC_TYPE, engine.document(req))
    engine.decide(users["supervisor1"], req.id, "approve")
    db.session.commit()
    r = rep.post(f"/approvals/{req.id}/withdraw", headers=HX)
    assert r.status_code == 409 and "已有人审批" in r.text
    r = rep.post(f"/approvals/{req.id}/withdraw")
    assert r.status_code == 303
    assert "张伟" in rep.get("/approvals/mine").text  # now held by the manager


def test_route_editor_add_reorder_remove_and_save(users, adapter, submitted, login):
    before = submitted(users["rep1"])
    mgr = login("manager")
    assert "测试单据" in mgr.get("/approvals/routes").text
    page = mgr.get(f"/approvals/routes/{DOC_TYPE}")
    assert page.status_code == 200 and 'value="主管审批"' in page.text and 'value="经理审批"' in page.text

    rows = {"steps-0-name": "主管审批", "steps-0-approver_kind": "line_manager", "steps-0-role": "",
            "steps-0-min_amount": "", "steps-0-reviewers": "1",
            "steps-1-name": "经理审批", "steps-1-approver_kind": "role", "steps-1-role": "manager",
            "steps-1-min_amount": "", "steps-1-reviewers": "1"}
    r = mgr.post(f"/approvals/routes/{DOC_TYPE}", data={**rows, "op": "add"}, headers=HX)
    assert r.status_code == 200 and "<html" not in r.text and 'name="steps-2-name"' in r.text
    r = mgr.post(f"/approvals/routes/{DOC_TYPE}", data={**rows, "op": "up:1"}, headers=HX)
    assert r.text.index('value="经理审批"') < r.text.index('value="主管审批"')
    r = mgr.post(f"/approvals/routes/{DOC_TYPE}", data={**rows, "op": "remove:0"}, headers=HX)
    assert 'value="主管审批"' not in r.text and 'name="steps-1-name"' not in r.text

    # errors next to the fields, in Chinese; nothing stored
    bad = {**rows, "steps-2-name": "", "steps-2-approver_kind": "role", "steps-2-role": "",
           "steps-2-min_amount": "1,2,3x", "steps-2-reviewers": "2", "op": "save"}
    r = mgr.post(f"/approvals/routes/{DOC_TYPE}", data=bad)
    assert r.status_code == 200
    for message in ("请填写步骤名称", "按角色审批的步骤必须选择角色", "金额格式不正确"):
        assert message in r.text
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "approval.route.update")) is None

    good = {**rows, "steps-2-name": "总监审批", "steps-2-approver_kind": "role", "steps-2-role": "director",
            "steps-2-min_amount": "￥10,000", "steps-2-reviewers": "2", "op": "save"}
    r = mgr.post(f"/approvals/routes/{DOC_TYPE}", data=good)
    assert r.status_code == 303
    steps = engine.route_steps(DOC_TYPE)
    assert steps[2] == {"name": "总监审批", "approver_kind": "role", "role": "director", "min_amount": "10000.00",
                        "reviewers": 2}
    assert steps[0]["role"] is None  # a line-manager step keeps no role
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "approval.route.update"))
    assert len(before.steps) == 2  # the document already submitted keeps its route
    assert "金额超过 ¥10,000.00" in mgr.get("/approvals/routes").text

    assert login("supervisor1").get(f"/approvals/routes/{DOC_TYPE}").status_code == 403
    assert mgr.get("/approvals/routes/nosuchtype").status_code == 404


@pytest.mark.calendar
def test_delegations_page(users, login):
    sup = login("supervisor1")
    page = sup.get("/approvals/delegations")
    assert page.status_code == 200
    assert "陈静" in page.text and "周杰" not in page.text  # only same or higher rank are offered
    today = today_local()
    r = sup.post("/approvals/delegations", data={
        "delegate": users["supervisor2"].id, "starts_on": (today + timedelta(days=2)).isoformat(),
        "ends_on": today.isoformat(), "note": "年假"})
    assert r.status_code == 200 and "结束日期不能早于开始日期" in r.text
    r = sup.post("/approvals/delegations", data={
        "delegate": users["rep1"].id, "starts_on": today.isoformat(), "ends_on": today.isoformat()})
    assert r.status_code == 200 and "Not a valid choice" not in r.text
    r = sup.post("/approvals/delegations", data={
        "delegate": users["supervisor2"].id, "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=3)).isoformat(), "note": "年假"})
    assert r.status_code == 303
    item = db.session.scalars(select(Delegation)).one()
    page = sup.get("/approvals/delegations")
    assert "生效中" in page.text and "年假" in page.text
    assert "刘洋 委托您" in login("supervisor2").get("/approvals/delegations").text
    assert login("supervisor2").post(f"/approvals/delegations/{item.id}/cancel").status_code == 404
    assert sup.post(f"/approvals/delegations/{item.id}/cancel").status_code == 303
    db.session.expire_all()
    assert db.session.get(Delegation, item.id).cancelled
    assert login("rep1").get("/approvals/delegations").status_code == 403


def test_desk_card_and_nav(users, submitted, login):
    for i in range(7):
        submitted(users["rep1"], title=f"第{i}张单")
    desk = login("supervisor1").get("/supervisor/")
    card = desk.text[desk.text.index('id="card-approvals"'):]
    card = card[:card.index("</section>")]
    assert 'id="approval-badge" class="badge">7</span>' in card
    assert card.count("<li>") == 5 and "第6张单" in card and "第1张单" not in card  # the 5 newest
    assert 'href="/approvals/">待我审批' in desk.text and "我的申请" in desk.text and "审批流程" not in desk.text
    assert "审批流程" in login("director").get("/director/").text
    rep_desk = login("rep1").get("/rep/")
    assert 'id="card-approvals"' not in rep_desk.text and "我的申请" in rep_desk.text


def test_routes_page_counts_the_leave_threshold_in_days_and_money_in_yuan(login):
    page = login("manager").get("/approvals/routes").text
    assert "超过 3 天" in page and "金额超过 ¥3.00" not in page
    assert "金额超过 ¥" in page  # the expense route's manager step
