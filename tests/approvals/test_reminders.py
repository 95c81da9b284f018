"""Acceptance 5: an overdue item is reminded once to its approver, then escalated once one level up —
not once per scheduler run."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from intranet.extensions import db
from intranet.jobs.approvals import remind_overdue_approvals
from intranet.models import ApprovalReminder, ApprovalRequest, Email, Todo
from intranet.services import approvals as engine
from intranet.services import settings


def _age(req_id: int, hours: float) -> None:
    req = db.session.get(ApprovalRequest, req_id)
    req.step_started_at = datetime.now(UTC) - timedelta(hours=hours)
    db.session.commit()


def _emails(user, prefix: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Email.id)).where(Email.to_addr == user.email,
                                                                Email.subject.like(prefix + "%")))


def test_reminder_once_then_escalation_once(users, submitted):
    settings.update(users["manager"], {"approval_remind_hours": "24", "approval_escalate_hours": "48"})
    db.session.commit()
    sup1, manager = users["supervisor1"], users["manager"]
    req = submitted(users["rep1"], title="超时的报销单")
    fresh = submitted(users["rep2"], title="刚提交的单")

    _age(req.id, 23)
    remind_overdue_approvals()
    assert _emails(sup1, "审批超时提醒") == 0  # not overdue yet

    _age(req.id, 25)
    for _run in range(3):
        remind_overdue_approvals()
    assert _emails(sup1, "审批超时提醒") == 1
    assert _emails(manager, "审批超时升级") == 0
    todo = db.session.scalars(select(Todo).where(Todo.user_id == sup1.id, Todo.text.like("审批超时提醒%"))).one()
    assert todo.text == "审批超时提醒：超时的报销单" and todo.link == "/approvals/"

    _age(req.id, 49)
    for _run in range(3):
        remind_overdue_approvals()
    assert _emails(sup1, "审批超时提醒") == 1
    assert _emails(manager, "审批超时升级") == 1  # supervisor1 reports to the manager
    body = db.session.scalars(select(Email.body).where(Email.subject.like("审批超时升级%"))).one()
    assert "刘洋" in body and "超时的报销单" in body
    levels = db.session.scalars(select(ApprovalReminder.level).where(ApprovalReminder.request_id == req.id)
                                .order_by(ApprovalReminder.level)).all()
    assert levels == [1, 2]
    assert db.session.scalar(select(func.count(ApprovalReminder.id)).where(
        ApprovalReminder.request_id == fresh.id)) == 0

    # the next step starts its own clock: the manager's step is reminded once when it is overdue
    engine.decide(sup1, req.id, "approve")
    db.session.commit()
    remind_overdue_approvals()
    assert _emails(manager, "审批超时提醒") == 0
    _age(req.id, 30)
    remind_overdue_approvals()
    remind_overdue_approvals()
    assert _emails(manager, "审批超时提醒") == 1
    # the audit trail records each reminder occasion
    from intranet.models import AuditEntry

    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "approval.remind")) == 3


def test_decided_items_are_not_reminded(users, submitted):
    req = submitted(users["rep1"])
    engine.decide(users["supervisor1"], req.id, "return", "请修改")
    db.session.commit()
    _age(req.id, 100)
    assert remind_overdue_approvals() == 0
    assert _emails(users["supervisor1"], "审批超时") == 0


def test_escalation_skips_people_without_a_boss_and_the_submitter(users, submitted):
    """The gm has no line manager: the escalation has nobody to go to, and nothing breaks."""
    engine.save_route(users["manager"], "testdoc", [engine.step_dict("总经理审批", "role", "gm")])
    db.session.commit()
    req = submitted(users["director"])
    _age(req.id, 72)
    assert remind_overdue_approvals() == 2  # both occasions recorded
    assert _emails(users["gm"], "审批超时提醒") == 1
    assert _emails(users["director"], "审批超时升级") == 0
    assert db.session.scalar(select(func.count(Email.id)).where(Email.subject.like("审批超时升级%"))) == 0
