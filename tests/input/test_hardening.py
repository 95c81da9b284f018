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
    assert "已存在同名客户" in body and users["rep3"].name not in body
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


def test_an_impossible_date_says_so_instead_of_please_fill_in(login):
    data = {"title": "日期", "promotion_id": "0", "action": "save", "lines-0-category": "travel",
            "lines-0-spent_on": "2026-13-45", "lines-0-amount": "10.00"}
    body = login("rep1").post("/expenses/claims/new", data=data).get_data(as_text=True)
    assert "日期无效" in body


def test_a_superscript_quantity_is_a_chinese_message_not_a_python_one():
    import pytest

    from intranet.returns.forms import parse_quantity

    for bad in ("²", "١٢", "99999999999999999999", "-1"):
        with pytest.raises(ValueError) as caught:
            parse_quantity(bad)
        assert "invalid literal" not in str(caught.value.args[0])
    assert parse_quantity("１２") == 12


def test_an_upload_of_a_rolled_back_transaction_leaves_no_file(app, users):
    import expense_helpers as h

    from intranet.services import receipts

    claim = h.claim(users["rep1"], "50.00", receipt=False)
    db.session.commit()
    before = set(receipts.folder().iterdir())
    receipts.attach(users["rep1"], "expense", claim.id, "a.png", h.PNG)
    assert len(set(receipts.folder().iterdir()) - before) == 1
    db.session.rollback()
    assert set(receipts.folder().iterdir()) == before


def test_stale_import_previews_are_removed(app, login):
    import os
    import time
    from io import BytesIO
    from pathlib import Path

    from openpyxl import Workbook

    folder = Path(app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / "customers-old.json"
    stale.write_text("{}")
    os.utime(stale, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    wb = Workbook()
    wb.active.append(["客户名称"])
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    login("manager").post("/customers/import", data={"file": (buf, "c.xlsx")}, content_type="multipart/form-data")
    assert not stale.exists()


def test_a_hostile_language_cookie_is_the_default_language(app):
    client = app.test_client()
    for value in ("\x00", "../../etc/passwd", "zz_ZZ", "en\r\nX-Bad: 1", "x" * 4000):
        client.set_cookie("lang", value)
        page = client.get("/login")
        assert page.status_code == 200 and "登录" in page.get_data(as_text=True), value
    client.set_cookie("lang", "en")
    assert "Log in" in client.get("/login").get_data(as_text=True)
