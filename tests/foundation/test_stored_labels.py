"""English readers see stored labels in English; the language picked on the login page survives login."""

import re

from intranet.extensions import db
from intranet.models import ApprovalRequest, User


def test_english_chosen_on_the_login_page_survives_login(app, client):
    assert client.post("/account/language", data={"locale": "en", "next": "/login"}).status_code == 303
    assert 'lang="en"' in client.get("/login").text
    assert client.post("/login", data={"username": "rep1", "password": "demo123"}).status_code == 303
    desk = client.get("/rep/").text
    assert re.search(r'<html lang="en"', desk)
    assert db.session.scalar(db.select(User.locale).where(User.username == "rep1")) == "en"
    client.post("/logout")
    other = app.test_client()  # another browser, no cookie: the user's own choice holds
    other.post("/login", data={"username": "rep1", "password": "demo123"})
    assert '<html lang="en"' in other.get("/rep/").text


def _english(login, username):
    db.session.execute(db.update(User).where(User.username == username).values(locale="en"))
    db.session.commit()
    return login(username)


def test_step_names_and_titles_render_in_english_and_stay_chinese_in_chinese(app, users, login):
    pending = db.session.scalars(db.select(ApprovalRequest).where(ApprovalRequest.title.like("退货申请 %"))).first()
    assert pending is not None, "the demo has a return on the engine"
    chinese = login("director").get(f"/approvals/{pending.id}").text
    assert pending.title in chinese and "总监审批" in chinese
    english = _english(login, "director").get(f"/approvals/{pending.id}").text
    assert "Director approval" in english and "总监审批" not in english
    number = pending.title.split()[1]
    assert f"Return request {number} · " in english and "退货申请" not in english


def test_petty_cash_account_name_in_english_old_free_text_as_stored(app, users, login):
    page = _english(login, "assistant").get("/ledger/").text
    assert "的备用金" not in page and "s petty cash" in page
    with app.test_request_context():
        from flask_login import login_user

        from intranet.web.stored_labels import display

        login_user(users["director"])
        users["director"].locale = "en"
        assert display("总监审批") == "Director approval"
        assert display("赵敏 的备用金") == "赵敏's petty cash"
        assert display("金额不对，请退回修改") == "金额不对，请退回修改"  # typed by a person: as stored
        assert display("报销单 #7 赵敏:杭州客户拜访") == "Expense claim #7 赵敏: 杭州客户拜访"
