"""Findings 6, 8, 9: what a message reveals, the current-password throttle, DEMO_MODE, clear messages."""

import expense_helpers as h

from intranet.config import Config
from intranet.extensions import db
from intranet.models import Customer
from intranet.services import approvals, expenses


def test_the_current_password_check_is_throttled(login):
    client = login("rep2")
    wrong = {"current": "guess", "password": "newpassword1", "confirm": "newpassword1"}
    statuses = [client.post("/account/password", data=wrong).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    right = {"current": "demo123", "password": "newpassword1", "confirm": "newpassword1"}
    assert client.post("/account/password", data=right).status_code == 429  # locked for a while, even if right


def test_demo_mode_is_off_unless_asked_for():
    assert Config.DEMO_MODE is False or __import__("os").environ.get("DEMO_MODE")


def test_a_rep_is_not_told_whose_customer_of_another_team_it_is(login, users):
    other = db.session.scalar(db.select(Customer).where(Customer.owner_id == users["rep3"].id))
    response = login("rep1").post("/customers/new", data={"name": other.name, "kind": "distributor",
                                                          "stage": "potential", "callback_interval_days": "30"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已有同名客户" in body and users["rep3"].name not in body
    manager_view = login("manager").post("/customers/new", data={"name": other.name, "kind": "distributor",
                                                                 "stage": "potential", "callback_interval_days": "30"})
    assert users["rep3"].name in manager_view.get_data(as_text=True)


def test_a_too_long_decision_comment_says_so(login, users):
    claim = h.claim(users["rep1"], "50.00")
    expenses.submit_claim(users["rep1"], claim)
    db.session.commit()
    req = approvals.request_for("expense", claim.id)
    response = login("supervisor1").post(f"/approvals/{req.id}/decide", data={
        "action": "approve", "comment": "长" * 10_000, "step_index": req.current_step, "round": req.round})
    body = response.get_data(as_text=True)
    assert "未知的审批操作" not in body
    assert "2000" in body
    db.session.refresh(req)
    assert req.status == "pending"
