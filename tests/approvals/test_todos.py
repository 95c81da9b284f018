"""To-dos are tied to the step that created them: any decision, return, rejection, withdrawal or bulk
decision closes every to-do of that step, for everyone who got one (delegates included)."""

from datetime import timedelta

from sqlalchemy import select

from intranet.clock import today_local
from intranet.extensions import db
from intranet.models import Todo
from intranet.services import approvals as engine

from .conftest import DOC_TYPE


def _open(user) -> list[str]:
    return list(db.session.scalars(select(Todo.key).where(Todo.user_id == user.id, Todo.done.is_(False))))


def _open_for(request) -> list[str]:
    """Open to-dos anyone has for this request's inbox items."""
    return list(db.session.scalars(select(Todo.key).where(
        Todo.done.is_(False), Todo.key.startswith(f"approval:{request.id}:r"), ~Todo.key.contains(":result:"))))


def test_approving_a_step_closes_its_todos_and_opens_the_next(users, submitted):
    req = submitted(users["rep1"])
    assert _open(users["supervisor1"]) and _open_for(req)
    engine.decide(users["supervisor1"], req.id, "approve")
    db.session.commit()
    assert _open(users["supervisor1"]) == []
    assert [k for k in _open_for(req)] == [f"approval:{req.id}:r1:s1:u{users['manager'].id}"]
    engine.decide(users["manager"], req.id, "approve")
    assert _open_for(req) == [] and _open(users["manager"]) == []


def test_return_reject_and_withdraw_close_the_step(users, submitted):
    returned, rejected, withdrawn = (submitted(users["rep1"]) for _ in range(3))
    engine.decide(users["supervisor1"], returned.id, "return", "金额不对")
    engine.decide(users["supervisor1"], rejected.id, "reject", "不符合规定")
    engine.withdraw(users["rep1"], withdrawn.id)
    for req in (returned, rejected, withdrawn):
        assert _open_for(req) == []
    assert _open(users["supervisor1"]) == []


def test_a_delegates_copy_closes_with_the_principals(users, submitted):
    sup1, sup2 = users["supervisor1"], users["supervisor2"]
    today = today_local()
    engine.delegate(sup1, sup2, today, today + timedelta(days=2), "年假")
    req = submitted(users["rep1"])
    assert any(k.endswith(f":d{sup2.id}") for k in _open(sup2))
    engine.decide(sup2, req.id, "approve")
    assert _open(sup1) == [] and _open(sup2) == []


def test_bulk_decisions_close_every_item(users, submitted):
    requests = [submitted(users["rep1"]) for _ in range(4)]
    results = engine.bulk_decide(users["supervisor1"], [r.id for r in requests], "approve")
    assert set(results.values()) == {None}
    assert _open(users["supervisor1"]) == []
    assert all(len(_open_for(r)) == 1 for r in requests)  # each now waits for the manager


def test_the_first_of_two_reviewers_is_done_the_second_is_not(users, submitted, make_user):
    second = make_user("manager", name="第二经理")
    engine.save_route(users["manager"], DOC_TYPE, [engine.step_dict("双人复核", "role", "manager", reviewers=2)])
    req = submitted(users["rep1"])
    engine.decide(users["manager"], req.id, "approve")
    assert _open(users["manager"]) == [] and len(_open(second)) == 1
    engine.decide(second, req.id, "approve")
    assert _open(second) == [] and req.status == "approved"


def test_the_todo_page_lists_open_and_done(users, submitted, login):
    req = submitted(users["rep1"])
    page = login("supervisor1").get("/todos/")
    assert page.status_code == 200 and req.title in page.text
    engine.decide(users["supervisor1"], req.id, "approve")
    db.session.commit()
    sup = login("supervisor1")
    assert req.title not in sup.get("/todos/").text
    assert req.title in sup.get("/todos/?show=done").text
    assert req.title not in sup.get("/supervisor/").text.split('id="card-todos"')[1].split("</section>")[0]


def test_a_person_ticks_off_only_their_own_reminder(users, login):
    from intranet.services import notify

    item = notify.todo("callback:test", users["rep1"], "回访上海宏达")
    db.session.commit()
    assert login("rep2").post(f"/todos/{item.id}/done").status_code == 404
    assert login("rep1").post(f"/todos/{item.id}/done").status_code == 303
    db.session.refresh(item)
    assert item.done


def test_an_overdue_reminder_reaches_the_delegate_and_closes_with_the_step(users, submitted):
    from datetime import UTC, datetime

    sup1, sup2 = users["supervisor1"], users["supervisor2"]
    engine.delegate(sup1, sup2, today_local(), today_local() + timedelta(days=2), "出差")
    req = submitted(users["rep1"])
    req.step_started_at = datetime.now(UTC) - timedelta(hours=30)
    db.session.commit()
    assert engine.remind_overdue() >= 1
    assert any(k.startswith(f"approval-remind:{req.id}:") for k in _open(sup2))
    engine.decide(sup2, req.id, "approve")
    assert not any(k.startswith(f"approval-remind:{req.id}:") for k in _open(sup1) + _open(sup2))
