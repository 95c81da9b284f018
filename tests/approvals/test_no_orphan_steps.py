"""Nothing waits for nobody: every waiting step has someone who may decide it.

Every document type is submitted by every role that may submit it and walked along its default
route to the end — each step must have a holder — and steps whose only approver is excluded (four
eyes) or gone go one level up, with a note on the document and in the audit trail.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import or_, select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import AuditEntry, Product, Todo
from intranet.services import advances, expenses, people, promotions
from intranet.services import approvals as engine
from intranet.services import returns as return_rules
from intranet.services import visits as visit_rules
from intranet.services.errors import DomainError

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a7f1d2e50000000049454e44ae426082")


def _claim(user, amount="300.00"):
    claim = expenses.save_claim(user, None, title="差旅报销", lines=[
        {"category": "travel", "spent_on": today_local(), "amount": Decimal(amount), "description": "高铁"}])
    expenses.attach_receipt(user, claim, "fapiao.png", PNG)
    return expenses.submit_claim(user, claim)


def _large_claim(user):
    return _claim(user, "9800.00")  # above both thresholds: supervisor/line, manager, director


def _advance(user):
    today = today_local()
    doc = advances.save(user, None, amount=Decimal("3000.00"), purpose="出差借款", trip_start=today,
                        trip_end=today + timedelta(days=2))
    return advances.submit(user, doc)


def _promotion(user):
    today = today_local()
    doc = promotions.save(user, None, activity="经销商推介会", location="杭州", starts_on=today,
                          ends_on=today + timedelta(days=1), plan="产品演示",
                          lines=[{"item": "场地租赁", "amount": Decimal("800.00"), "description": ""}])
    return promotions.submit(user, doc)


def _visit_plan(user):
    month = visit_rules.next_month(today_local())
    plan = visit_rules.create_plan(user, month)
    customer = visit_rules.customers_for(user)[0]
    first, _ = visit_rules.month_bounds(month)
    visit_rules.add_visit(user, plan, customer.id, first + timedelta(days=5), Decimal("2"), "客户维护")
    return visit_rules.submit_plan(user, plan)


def _return(user):
    product = db.session.scalar(select(Product).order_by(Product.id))
    doc = return_rules.create(user, {"customer_name": "测试客户有限公司", "order_ref": "XS-TEST-009", "reason": "other",
                                     "reason_detail": "说明", "cost_split": "运费我司承担", "justification": "特殊理由"},
                              [return_rules.LineInput(product.id, 1, Decimal("100.00"))])
    return_rules.submit(user, doc)
    return return_rules.approval_request(doc)


SUBMITTERS = {
    "expense": (_claim, ("rep", "supervisor", "manager", "director", "assistant", "finance")),
    "expense-large": (_large_claim, ("rep", "supervisor", "manager", "director")),
    "advance": (_advance, ("rep", "supervisor", "manager", "director", "assistant")),
    "promotion": (_promotion, ("rep", "supervisor", "manager")),
    "visit_plan": (_visit_plan, ("rep",)),
    "return": (_return, ("rep", "supervisor", "manager", "director")),
}
ROLE_USER = {"rep": "rep1", "supervisor": "supervisor1", "manager": "manager", "director": "director",
             "assistant": "assistant", "finance": "finance"}
CASES = [(kind, role) for kind, (_build, roles) in SUBMITTERS.items() for role in roles]


@pytest.mark.parametrize(("kind", "role"), CASES, ids=[f"{k}-{r}" for k, r in CASES])
def test_the_default_route_always_has_someone_and_completes(users, kind, role):
    build, _roles = SUBMITTERS[kind]
    request = build(users[ROLE_USER[role]])
    seen = []
    while request.status == "pending":
        holders = engine.holders(request)
        assert holders, f"{kind} by {role}: nobody holds step {request.current_step} ({request.step['name']})"
        decider = holders[0]
        assert request in engine.inbox(decider)
        seen.append((request.step["name"], decider.username))
        prefixes = engine.todo_prefixes(request)
        engine.decide(decider, request.id, "approve", step_index=request.current_step)
        still_open = db.session.scalars(select(Todo.key).where(Todo.done.is_(False), or_(
            *[Todo.key.startswith(p) for p in prefixes]))).all()
        assert still_open == [], f"{kind}: to-dos left open after the step was decided"
    assert request.status == "approved", seen
    assert all(name != users[ROLE_USER[role]].username for _step, name in seen)  # four eyes held


def test_a_managers_own_advance_goes_to_the_director_with_a_note(users, login):
    request = _advance(users["manager"])
    engine.decide(users["director"], request.id, "approve")  # the manager's line manager
    assert request.step["name"] == "销售经理审批"
    assert [u.username for u in engine.holders(request)] == ["director"]
    assert engine.escalation_note(request) == "因申请人回避，由 李志强 审批"
    db.session.commit()
    page = login("manager").get(f"/approvals/{request.id}").get_data(as_text=True)
    assert "因申请人回避，由 李志强 审批" in page and "李志强" in page


def test_deactivating_the_only_holder_moves_the_step_up(users):
    request = _claim(users["rep1"])
    assert [u.username for u in engine.holders(request)] == ["supervisor1"]
    people.set_active(users["manager"], users["supervisor1"], False)
    assert [u.username for u in engine.holders(request)] == ["manager"]
    assert engine.escalation_note(request) == "原审批人不在岗，由 张伟 审批"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "approval.reroute")).one()
    assert entry.after["former"] == "supervisor1" and entry.after["holders"] == ["manager"]
    assert request in engine.inbox(users["manager"])
    engine.decide(users["manager"], request.id, "approve")
    assert request.status in ("pending", "approved")


def test_the_route_editor_refuses_a_step_nobody_can_hold(users):
    with pytest.raises(DomainError, match="步骤「总经理双签」"):
        engine.save_route(users["manager"], "expense", [engine.step_dict("总经理双签", "role", "gm", reviewers=2)])
    with pytest.raises(DomainError, match="步骤「代表互审」"):
        engine.save_route(users["manager"], "expense", [engine.step_dict("代表互审", "role", "rep")])
    engine.save_route(users["manager"], "expense", [engine.step_dict("经理审批", "role", "manager")])


def test_the_manager_sees_stuck_documents_and_reassigns_one(users, login):
    from datetime import UTC, datetime

    request = _claim(users["rep1"])
    request.step_started_at = datetime.now(UTC) - timedelta(days=3)
    db.session.commit()
    manager = login("manager")
    page = manager.get("/approvals/stuck").get_data(as_text=True)
    assert request.title in page and "刘洋" in page
    assert login("supervisor1").get("/approvals/stuck").status_code == 403
    refused = manager.post(f"/approvals/{request.id}/reassign", data={f"r{request.id}-user": users["rep1"].id})
    assert refused.status_code == 200 and "Not a valid choice" not in refused.get_data(as_text=True)
    ok = manager.post(f"/approvals/{request.id}/reassign",
                      data={f"r{request.id}-user": users["supervisor2"].id, f"r{request.id}-comment": "刘洋休假"})
    assert ok.status_code == 303
    db.session.expire_all()
    assert [u.username for u in engine.holders(request)] == ["supervisor2"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "approval.reassign")).one()
    assert entry.before["holders"] == ["supervisor1"] and entry.after["holders"] == ["supervisor2"]
    engine.decide(users["supervisor2"], request.id, "approve")
    assert request.current_step == 1 or request.status == "approved"
