"""Acceptance 5 of issue 19 through the pages, the real RQ worker and the SMTP sink: finance issues this
month's dunning notice, supervisor1 passes it on, rep1 records the contact the same day, rep2 does
not. The reminder job, run by a real worker process on the test's clock (moved with time-machine),
sends rep2 exactly one reminder after the record-by time and supervisor1 exactly one escalation the
next day; running it again sends nothing more."""

from datetime import datetime, timedelta
from email.header import decode_header, make_header

from live_worker import finish, start_worker
from receivable_helpers import invoice
from redis import Redis
from rq import Queue
from sqlalchemy import delete, select

from intranet.clock import SHANGHAI, today_local
from intranet.extensions import db
from intranet.models import DunningLine, DunningNotice, Email, Todo

JOB = "intranet.jobs.receivables.dunning_reminders"


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _run_job(app, times: int = 1) -> None:
    """What the scheduler's ticks enqueue (the job reads the worker's clock, which is the test's)."""
    queue = Queue(app.config["RQ_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))
    for _ in range(times):
        queue.enqueue(JOB)
    _drain(app)


def _drain(app) -> None:
    code, err = finish(start_worker(app), timeout=90)
    assert code == 0, err[-2000:]


def _without_the_demo_notice(team_id) -> None:
    """The demo issues this month's notice of rep1's team already; finance issues it here instead."""
    ids = db.session.scalars(select(DunningNotice.id).where(DunningNotice.team_id == team_id)).all()
    db.session.execute(delete(DunningLine).where(DunningLine.notice_id.in_(ids)))
    db.session.execute(delete(DunningNotice).where(DunningNotice.id.in_(ids)))
    for model in (Todo, Email):
        db.session.execute(delete(model).where(model.key.startswith("dunning")))
    db.session.commit()


def _to(sink, address: str, subject_starts: str) -> list:
    return [m for m in sink.messages if m["To"] == address and _subject(m).startswith(subject_starts)]


def test_reminded_once_then_escalated_once_through_the_real_worker(app, users, login, smtp_sink, frozen_clock):
    rep1, rep2, boss = users["rep1"], users["rep2"], users["supervisor1"]
    today = today_local()
    _without_the_demo_notice(rep1.team_id)
    invoice(users, rep="rep2", qty=2, checked_on=today - timedelta(days=50))  # rep2: two overdue lines, one escalation

    # 10:00 — finance issues the notice; supervisor1 passes it on; rep1 records every line of theirs
    assert login("finance").post("/receivables/dunning/issue", data={"team_id": rep1.team_id}).status_code == 303
    notice = db.session.scalar(select(DunningNotice).where(DunningNotice.team_id == rep1.team_id))
    assert notice is not None and notice.issued_on == today
    assert {x.rep_id for x in notice.lines} >= {rep1.id, rep2.id}
    assert login("supervisor1").post(f"/receivables/dunning/{notice.id}/pass-on").status_code == 303
    rep1_client = login("rep1")
    for line in [x for x in notice.lines if x.rep_id == rep1.id]:
        answer = rep1_client.post(f"/receivables/dunning/lines/{line.id}/record", data={
            "contact_person": "陈工", "result": "约定月底前付清", "promised_on": (today + timedelta(days=10)).isoformat()})
        assert answer.status_code == 303
    db.session.expire_all()
    assert all(x.recorded_at is not None for x in notice.lines if x.rep_id == rep1.id)
    assert len([x for x in notice.lines if x.rep_id == rep2.id and x.recorded_at is None]) >= 2
    _drain(app)  # the notice's own emails (to supervisor1, then to the reps) go out first
    assert len(_to(smtp_sink, boss.email, "")) == 1
    sent_before = len(smtp_sink.messages)

    # before the record-by time (17:30) the job reminds nobody
    _run_job(app)
    assert len(smtp_sink.wait_for(sent_before + 1, timeout=1.5)) == sent_before

    # 18:00 the same day — two ticks: rep2 gets exactly one reminder, rep1 none, no escalation yet
    frozen_clock.move_to(datetime(today.year, today.month, today.day, 18, 0, tzinfo=SHANGHAI))
    _run_job(app, times=2)
    smtp_sink.wait_for(sent_before + 1)
    assert len(_to(smtp_sink, rep2.email, "催款结果未登记")) == 1
    assert _to(smtp_sink, rep1.email, "催款结果未登记") == []
    assert len(smtp_sink.messages) == sent_before + 1

    # 09:00 the next day: supervisor1 gets exactly one escalation; rep2 is not reminded again
    nxt = today + timedelta(days=1)
    frozen_clock.move_to(datetime(nxt.year, nxt.month, nxt.day, 9, 0, tzinfo=SHANGHAI))
    _run_job(app)
    smtp_sink.wait_for(sent_before + 2)
    escalations = _to(smtp_sink, boss.email, rep2.name)
    assert len(escalations) == 1 and "未登记催款结果" in _subject(escalations[0])
    assert len(_to(smtp_sink, rep2.email, "催款结果未登记")) == 1

    # running it again (later ticks) sends nothing more
    _run_job(app, times=2)
    assert len(smtp_sink.wait_for(sent_before + 3, timeout=1.5)) == sent_before + 2
    db.session.expire_all()
    emails = db.session.scalars(select(Email).where(Email.key.startswith("dunning-"))).all()
    assert sorted(e.to_addr for e in emails) == sorted([rep2.email, boss.email])
    assert {e.status for e in emails} == {"sent"}
