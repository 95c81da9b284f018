"""The dunning flow: finance issues the notice per team (its overdue invoices), supervisor1 passes it
on, rep1 records the contact the same day, rep2 does not and is reminded, then supervisor1 gets the
escalation — exactly once each, however often the job runs."""

from datetime import timedelta

import pytest
from receivable_helpers import invoice
from sqlalchemy import func, select

from intranet.clock import local_instant, today_local
from intranet.extensions import db
from intranet.jobs.receivables import dunning_reminders
from intranet.models import DunningNotice, Email, Team, Todo
from intranet.services import dunning
from intranet.services.errors import DomainError, Forbidden


def _count(prefix, user):
    return db.session.scalar(select(func.count()).select_from(Todo).where(Todo.user_id == user.id,
                                                                         Todo.key.startswith(prefix)))


def test_issue_pass_on_record_remind_escalate(app, users):
    today = today_local()
    for rep in ("rep1", "rep2"):
        invoice(users, rep=rep, qty=3, checked_on=today - timedelta(days=45))
    invoice(users, rep="rep1", qty=2, checked_on=today - timedelta(days=3))  # not overdue: not on the notice
    team = db.session.get(Team, users["rep1"].team_id)
    with pytest.raises(Forbidden):
        dunning.issue(users["assistant"], team)
    demo = db.session.scalar(select(DunningNotice).where(DunningNotice.team_id == team.id))
    assert demo is not None and demo.status == "issued"  # the demo's notice of this month, not passed on
    notice = dunning.issue(users["finance"], team, month="2026-12")
    db.session.commit()
    reps = {x.rep_id for x in notice.lines}
    assert reps >= {users["rep1"].id, users["rep2"].id}
    assert all(x.days_overdue > 0 for x in notice.lines)
    with pytest.raises(DomainError):
        dunning.issue(users["finance"], team, month="2026-12")  # once a month per team
    db.session.rollback()
    assert _count(f"dunning:{notice.id}:pass:", users["supervisor1"]) == 1
    with pytest.raises(Forbidden):
        dunning.pass_on(users["supervisor2"], notice)
    dunning.pass_on(users["supervisor1"], notice)
    db.session.commit()
    rep1_lines = [x for x in notice.lines if x.rep_id == users["rep1"].id]
    with pytest.raises(Forbidden):
        dunning.record(users["rep2"], rep1_lines[0], "陈工", "约定月底付款", None)
    with pytest.raises(DomainError) as exc:
        dunning.record(users["rep1"], rep1_lines[0], "", "", None)
    assert set(exc.value.errors) == {"contact_person", "result"}
    db.session.rollback()
    for line in rep1_lines:
        dunning.record(users["rep1"], line, "陈工", "约定月底前付清", today + timedelta(days=10))
    db.session.commit()
    # the job, before the deadline: nobody; after 17:30: rep2 reminded (once); next day: escalated (once)
    assert dunning_reminders(local_instant(today, 11).isoformat()) == {"reminded": 0, "escalated": 0}
    late = local_instant(today, 18).isoformat()
    assert dunning_reminders(late)["reminded"] == 1
    assert dunning_reminders(late) == {"reminded": 0, "escalated": 0}
    rep2_lines = [x for x in notice.lines if x.rep_id == users["rep2"].id]
    assert _count(f"dunning-remind:{notice.id}:", users["rep2"]) == 1
    assert _count("dunning-remind:", users["rep1"]) == 0
    nxt = local_instant(today + timedelta(days=1), 9).isoformat()
    assert len(rep2_lines) >= 2  # the demo's and this test's overdue invoice: still one escalation
    assert dunning_reminders(nxt) == {"reminded": 0, "escalated": 1}
    assert dunning_reminders(nxt) == {"reminded": 0, "escalated": 0}
    assert _count("dunning-escalate:", users["supervisor1"]) == 1
    assert db.session.scalar(select(func.count()).select_from(Email).where(
        Email.key.startswith("dunning-escalate:"))) == 1
    assert notice.id in {n.id for n in db.session.scalars(dunning.visible(users["rep1"]))}
    assert notice.id not in {n.id for n in db.session.scalars(dunning.visible(users["rep3"]))}
    assert db.session.scalar(select(func.count()).select_from(DunningNotice)) >= 1

