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
        # English punctuation in the English rendering ("赵敏" + ": " — built so the punctuation script
        # leaves the English colon alone)
        assert display("报销单 #7 赵敏：杭州客户拜访") == "Expense claim #7 " + "赵敏" + ": 杭州客户拜访"


def test_an_english_submitter_stores_the_title_in_chinese(app, users, login):
    from datetime import timedelta
    from decimal import Decimal

    from flask_login import login_user

    from intranet.clock import today_local
    from intranet.demo import demo_image
    from intranet.services import expenses

    rep = users["rep1"]
    rep.locale = "en"
    db.session.commit()
    with app.test_request_context():
        login_user(rep)
        claim = expenses.save_claim(rep, None, title="杭州客户拜访", lines=[
            {"category": "travel", "spent_on": today_local() - timedelta(days=1), "amount": Decimal("73.00"),
             "description": "高铁"}])
        expenses.attach_receipt(rep, claim, "ticket.png", demo_image("receipt-train"))
        request = expenses.submit_claim(rep, claim)
        db.session.commit()
    assert request.title == f"报销单 #{claim.id} {rep.name}：杭州客户拜访"
    assert all(not step["name"].isascii() for step in request.steps)
    assert request.title in login("supervisor1").get("/approvals/").text
    english = _english(login, "supervisor1").get("/approvals/").text
    assert f"Expense claim #{claim.id} {rep.name}: 杭州客户拜访" in english


def test_typed_text_is_not_split_into_two_labels_and_label_pairs_still_translate(app):
    """「%(kind)s%(verb)s：%(title)s」 has two placeholders side by side: a memo typed by a person
    ("名片印刷：吴磊") must stay as typed, while a notice subject made of two labels still translates."""
    from flask_babel import force_locale

    from intranet.web.stored_labels import display
    with app.test_request_context(), force_locale("en"):
        assert display("名片印刷：吴磊") == "名片印刷：吴磊"
        assert display("通知请阅：十二月工作安排") == "Notice, please read: 十二月工作安排"
