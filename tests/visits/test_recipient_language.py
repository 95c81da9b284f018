"""Notifications are written for their reader, not in the language of whoever's request wrote them:
stored in the company's language (to-dos are translated on the reader's desk) and mailed in the
recipient's own language."""

from datetime import date
from decimal import Decimal
from email.header import decode_header, make_header

from flask_babel import force_locale
from visit_helpers import clear_demo_visits, customer_of

from intranet.extensions import db
from intranet.jobs.mail import enqueue_email
from intranet.models import Email, Todo
from intranet.services import approvals
from intranet.services import visits as svc


def _submit_in_english(users):
    """rep1 reads English and submits next month's plan; supervisor1 is asked to approve it."""
    clear_demo_visits()
    rep = users["rep1"]
    rep.locale = "en"
    with force_locale("en"):
        plan = svc.create_plan(rep, "2026-12")
        svc.add_visit(rep, plan, customer_of("rep1").id, date(2026, 12, 8), Decimal("2"), "客户维护", "样品",
                      Decimal("100.00"))
        request = svc.submit_plan(rep, plan)
    db.session.commit()
    return request


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_an_english_submitter_leaves_a_chinese_reader_chinese_notices(app, users):
    request = _submit_in_english(users)
    boss = users["supervisor1"]
    todo = db.session.scalar(db.select(Todo).where(Todo.user_id == boss.id, Todo.key.startswith(
        f"approval:{request.id}:")))
    mail = db.session.scalar(db.select(Email).where(Email.to_addr == boss.email, Email.key == todo.key))
    assert todo.text.startswith("待审批：") and mail.subject == todo.text
    assert "等待您审批" in mail.body and "waiting" not in mail.body.lower()


def test_the_decision_reaches_an_english_submitter_in_english(app, users, smtp_sink, run_worker):
    request = _submit_in_english(users)
    boss = users["supervisor1"]
    approvals.decide(boss, request.id, "approve")  # decided by a Chinese reader's request
    db.session.commit()
    result = db.session.scalar(db.select(Email).where(Email.to_addr == users["rep1"].email,
                                                      Email.key.like(f"approval:{request.id}:%:result:%")))
    assert "已审批通过" in result.subject  # stored in the company's language
    enqueue_email(result.id)
    assert run_worker().returncode == 0
    messages = smtp_sink.wait_for(1)
    mine = [m for m in messages if m["To"] == users["rep1"].email]
    assert mine, [m["To"] for m in messages]
    subject = _subject(mine[0])
    assert subject == f"“{request.title.replace('拜访计划', 'Visit plans')}”: Approved", subject


def test_the_english_readers_desk_shows_the_chinese_todo_in_english(app, users, login):
    request = _submit_in_english(users)
    boss = users["supervisor1"]
    boss.locale = "en"
    db.session.commit()
    desk = login("supervisor1").get("/supervisor/").text
    assert "待审批：" not in desk
    assert f"Waiting for approval: {request.title.replace('拜访计划', 'Visit plans')}" in desk
