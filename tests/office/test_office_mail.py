"""The correspondence register: an incoming item reaches its handler (to-do + email) who signs for it
once; a phone message for an absent colleague the same; the register shows what is unacknowledged,
and only to those who may see it."""

from sqlalchemy import select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Correspondence, Email, Todo


def test_a_phone_message_reaches_the_colleague_and_is_marked_done(app, users, login):
    assistant = login("assistant")
    response = assistant.post("/office/mail/new", data={
        "direction": "in", "channel": "call", "day": today_local().isoformat(), "counterpart": "宁波海天 李经理",
        "phone": "0574-1234 5678", "subject": "请回电确认交货期", "handler_id": users["rep3"].id})
    assert response.status_code == 303
    item = db.session.scalar(select(Correspondence).where(Correspondence.subject == "请回电确认交货期"))
    key = f"correspondence:{item.id}:"
    todo = db.session.scalar(select(Todo).where(Todo.key == key))
    email = db.session.scalar(select(Email).where(Email.key == key))
    assert todo.user_id == users["rep3"].id and "电话留言" in todo.text and "0574-1234 5678" in todo.text
    assert email.to_addr == users["rep3"].email
    assert login("rep1").get(f"/office/mail/{item.id}").status_code == 404  # not rep1's
    rep3 = login("rep3")
    assert "宁波海天 李经理" in rep3.get("/rep/").get_data(as_text=True)
    assert "只看未签收" in rep3.get("/office/mail?open=1").get_data(as_text=True)
    assert rep3.post(f"/office/mail/{item.id}/ack", data={"reply": "已回电，下周三交货"}).status_code == 303
    assert "已于" in rep3.post(f"/office/mail/{item.id}/ack").get_data(as_text=True)  # once
    db.session.expire_all()
    assert db.session.get(Correspondence, item.id).reply == "已回电，下周三交货"
    assert db.session.scalar(select(Todo.done).where(Todo.key == key)) is True
    listed = assistant.get("/office/mail?open=1").get_data(as_text=True).split('id="list"', 1)[1]
    assert item.number not in listed


def test_an_incoming_item_needs_a_handler_and_bad_input_stays_beside_the_fields(app, users, login):
    before = db.session.scalar(select(db.func.count(Correspondence.id)))
    html = login("assistant").post("/office/mail/new", data={
        "direction": "in", "channel": "fax", "day": "2099-01-01", "counterpart": "", "subject": "报价"},
        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "收文须交给经办人" in html and "日期不能晚于今天" in html and "请填写对方单位或来电人" in html
    assert db.session.scalar(select(db.func.count(Correspondence.id))) == before


def test_only_the_handler_signs(app, users, login):
    item = db.session.scalar(select(Correspondence).where(Correspondence.handler_id == users["rep1"].id))
    assert login("assistant").post(f"/office/mail/{item.id}/ack").status_code == 403
    assert login("rep1").post(f"/office/mail/{item.id}/ack").status_code == 303
