"""Follow-up actions of a visit report tracked to done (issue 17, acceptance 1)."""

import threading
from datetime import UTC, date, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from visit_helpers import clear_demo_visits, customer_of

from intranet.extensions import db
from intranet.jobs.reminders import daily_reminders
from intranet.models import Email, Todo, User
from intranet.models.visits import FollowUp
from intranet.services import visits as svc
from intranet.services.errors import DomainError

TODAY = date(2026, 11, 18)  # the frozen test day
NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def _report_with(users, *due_days, username="rep1"):
    rep = users[username]
    report = svc.file_report(rep, outcome="介绍新品", customer=customer_of(username), visit_date=TODAY,
                             follow_ups=[(f"事项 {i}", d) for i, d in enumerate(due_days)], now=NOW)
    db.session.commit()
    return report


def _follow_up_keys() -> list[str]:
    return list(db.session.scalars(db.select(Email.key).where(Email.key.startswith("follow-up:"))))


def test_due_tomorrow_reminded_once_shown_on_desk_and_gone_when_done(app, users, login):
    clear_demo_visits()
    report = _report_with(users, TODAY + timedelta(days=1), TODAY + timedelta(days=10))
    soon, later = report.follow_ups
    assert soon.assignee_id == users["rep1"].id

    assert daily_reminders(NOW.isoformat())["follow_ups"] == 1
    assert daily_reminders((NOW + timedelta(hours=3)).isoformat())["follow_ups"] == 0
    assert _follow_up_keys() == [f"follow-up:{soon.id}:due:u{users['rep1'].id}"]

    rep1 = login("rep1")
    desk = rep1.get("/rep/").get_data(as_text=True)
    assert "我的后续事项" in desk and "事项 0" in desk and "事项 1" in desk
    todo = db.session.scalar(db.select(Todo).where(Todo.key == f"follow-up:{soon.id}:due:u{users['rep1'].id}"))
    assert todo.user_id == users["rep1"].id and not todo.done

    # an empty note changes nothing
    response = rep1.post(f"/visits/follow-ups/{soon.id}/done", data={"note": "  "}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "请填写完成情况" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FollowUp, soon.id).done_at is None

    response = rep1.post(f"/visits/follow-ups/{soon.id}/done", data={"note": "报价单已快递"},
                         headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "已完成" in body and "报价单已快递" in body
    db.session.expire_all()
    item = db.session.get(FollowUp, soon.id)
    assert item.done and item.done_by_id == users["rep1"].id and item.done_note == "报价单已快递"
    assert db.session.get(Todo, todo.id).done
    desk = rep1.get("/rep/").get_data(as_text=True)
    assert "事项 0" not in desk and "事项 1" in desk
    # done once: a second click is told so
    response = rep1.post(f"/visits/follow-ups/{soon.id}/done", data={"note": "再来一次"}, headers={"HX-Request": "true"})
    assert "该后续事项已完成" in response.get_data(as_text=True)
    assert daily_reminders((NOW + timedelta(days=1)).isoformat())["follow_ups"] == 0  # done: no reminder


def test_only_the_assignee_completes_and_the_supervisor_sees_overdue(app, users, login):
    clear_demo_visits()
    report = _report_with(users, TODAY)
    item = report.follow_ups[0]
    # rep2 cannot even see rep1's follow-up
    assert login("rep2").post(f"/visits/follow-ups/{item.id}/done", data={"note": "x"}).status_code == 404
    supervisor = users["rep1"].reports_to
    with pytest.raises(DomainError):
        svc.complete_follow_up(supervisor, item, "替他完成")
    db.session.rollback()
    later = NOW + timedelta(days=3)
    assert [f.id for f in svc.overdue_follow_ups(supervisor, later)] == [item.id]
    assert svc.overdue_follow_ups(supervisor, NOW) == []  # due today: not yet overdue
    other = db.session.scalar(db.select(User).where(User.role == "supervisor", User.id != supervisor.id))
    assert svc.overdue_follow_ups(other, later) == []
    page = login(supervisor.username).get("/visits/follow-ups?state=all").get_data(as_text=True)
    assert "事项 0" in page and "标记完成" not in page  # shown, but not theirs to complete
    xlsx = login(supervisor.username).get("/visits/follow-ups?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("sheet")


def test_the_reminder_goes_out_through_the_real_worker_and_smtp(app, users, smtp_sink, run_worker):
    from intranet.jobs.runtime import enqueue

    clear_demo_visits()
    item = _report_with(users, TODAY + timedelta(days=1)).follow_ups[0]
    assert enqueue("intranet.jobs.reminders.daily_reminders", NOW.isoformat())
    assert enqueue("intranet.jobs.reminders.daily_reminders", NOW.isoformat())
    assert run_worker().returncode == 0
    db.session.expire_all()
    ids = db.session.scalars(db.select(Email.id).where(Email.key.startswith("follow-up:"))).all()
    assert len(ids) == 1
    for email_id in ids:  # what the outbox sweep does for a pending row
        assert enqueue("intranet.jobs.mail.send_email", email_id)
    result = run_worker()
    assert result.returncode == 0, result.stderr[-2000:]
    messages = [m for m in smtp_sink.wait_for(1) if "后续事项" in str(make_header(decode_header(m["Subject"])))]
    assert len(messages) == 1 and messages[0]["To"] == users["rep1"].email
    db.session.expire_all()
    assert _follow_up_keys() == [f"follow-up:{item.id}:due:u{users['rep1'].id}"]


@pytest.mark.postgres
def test_two_clicks_at_once_complete_once_on_postgresql(pg_app):
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    clear_demo_visits(commit=False)
    item_id = _report_with(users, TODAY).follow_ups[0].id
    rep_id = users["rep1"].id
    results, start = [], threading.Barrier(2)

    def run(i):
        with pg_app.app_context():
            start.wait(30)
            try:
                svc.complete_follow_up(db.session.get(User, rep_id), db.session.get(FollowUp, item_id), f"完成 {i}")
                db.session.commit()
                results.append("ok")
            except DomainError as exc:
                db.session.rollback()
                results.append(str(exc.message))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["ok", "该后续事项已完成"], results
    db.session.expire_all()
    from intranet.models import AuditEntry

    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "follow_up.done")) == 1
