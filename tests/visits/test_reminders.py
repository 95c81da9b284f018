"""The daily reminder job: each occasion reminded exactly once, however often the job runs."""

from datetime import UTC, date, datetime, timedelta

from visit_helpers import approved_plan, clear_demo_visits, customer_of

from intranet.extensions import db
from intranet.jobs.reminders import daily_reminders
from intranet.models import Contact, Email, Todo
from intranet.services import customers as customer_rules

# 29 Nov 2026 09:00 in Shanghai: within the last 3 days of November.
NOW = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)


def _keys() -> set[str]:
    return set(db.session.scalars(db.select(Email.key)))


def test_each_reminder_once_per_occasion(app, users):
    clear_demo_visits()
    plan = approved_plan(users, days=(date(2026, 11, 20), date(2026, 11, 28)), now=datetime(2026, 11, 2, tzinfo=UTC))
    customer = customer_of("rep1")
    customer.last_contact_at = datetime(2026, 10, 1, tzinfo=UTC)  # callback due long ago
    customer.contacts[0].birthday = date(1975, 11, 29)
    customer.certificates[0].expires_on = date(2026, 12, 20)
    db.session.add(Contact(customer=customer_of("rep3"), name="寿星", birthday=date(1990, 11, 30)))  # not today
    db.session.commit()
    emails_before = db.session.scalar(db.select(db.func.count(Email.id)))

    first = daily_reminders(NOW.isoformat())
    keys = _keys()
    count = db.session.scalar(db.select(db.func.count(Email.id)))
    assert count - emails_before == sum(first.values())
    rep1, assistant = users["rep1"], users["assistant"]
    assert f"visit-plan-due:{rep1.id}:2026-12" in keys
    assert all(f"visit-plan-due:{users[u].id}:2026-12" in keys for u in ("rep2", "rep3", "rep4"))
    assert f"visit-report-overdue:{plan.visits[0].id}" in keys  # due 22 Nov
    assert f"visit-report-overdue:{plan.visits[1].id}" not in keys  # due 30 Nov, not yet
    assert f"callback-due:{customer.id}:{customer_rules.next_callback(customer).isoformat()}" in keys
    cert = customer.certificates[0]
    assert f"certificate-expiry:{cert.id}:2026-12-20:u{rep1.id}" in keys
    assert f"certificate-expiry:{cert.id}:2026-12-20:u{assistant.id}" in keys
    assert f"birthday:{customer.contacts[0].id}:2026" in keys
    assert not any(k.startswith("birthday:") and "寿星" in k for k in keys)
    assert len([k for k in keys if k.startswith("birthday:")]) == 1
    todo = db.session.scalar(db.select(Todo).where(Todo.key == f"visit-report-overdue:{plan.visits[0].id}"))
    assert todo.user_id == rep1.id and todo.link == f"/visits/reports/new?visit={plan.visits[0].id}"

    # the same day again, and an hour later: nothing new
    assert sum(daily_reminders(NOW.isoformat()).values()) == 0
    assert sum(daily_reminders((NOW + timedelta(hours=1)).isoformat()).values()) == 0
    assert db.session.scalar(db.select(db.func.count(Email.id))) == count
    assert db.session.scalar(db.select(db.func.count(Todo.id))) == db.session.scalar(
        db.select(db.func.count(Todo.id)).where(Todo.key.in_(_keys())))

    # next day: the second visit's report is now overdue; the plan reminder is not repeated
    next_day = daily_reminders((NOW + timedelta(days=2)).isoformat())
    keys2 = _keys()
    assert f"visit-report-overdue:{plan.visits[1].id}" in keys2
    assert next_day["plans_due"] == 0 and next_day["birthdays"] == 0  # 1 Dec: no longer month end


def test_a_submitted_plan_stops_the_plan_reminder(app, users):
    clear_demo_visits()
    from intranet.services import visits as svc

    plan = svc.create_plan(users["rep1"], "2026-12", now=NOW)
    svc.add_visit(users["rep1"], plan, customer_of("rep1").id, date(2026, 12, 3), "1", "客户维护")
    svc.submit_plan(users["rep1"], plan)
    db.session.commit()
    daily_reminders(NOW.isoformat())
    keys = _keys()
    assert f"visit-plan-due:{users['rep1'].id}:2026-12" not in keys
    assert f"visit-plan-due:{users['rep2'].id}:2026-12" in keys
    assert daily_reminders(datetime(2026, 11, 27, 15, 59, tzinfo=UTC).isoformat())["plans_due"] == 0  # 27th 23:59


def test_the_job_runs_in_the_real_worker(app, users, run_worker):
    from intranet.jobs.runtime import enqueue

    customer = customer_of("rep1")
    customer.contacts[0].birthday = date(1984, 11, 29)
    db.session.commit()
    assert enqueue("intranet.jobs.reminders.daily_reminders", NOW.isoformat())
    assert enqueue("intranet.jobs.reminders.daily_reminders", NOW.isoformat())
    result = run_worker()
    assert result.returncode == 0, result.stderr[-2000:]
    db.session.expire_all()
    keys = [k for k in db.session.scalars(db.select(Email.key)) if k.startswith("birthday:")]
    assert keys == [f"birthday:{customer.contacts[0].id}:2026"]
