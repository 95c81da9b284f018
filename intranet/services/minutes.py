"""Meeting minutes and their tasks (会议纪要、任务, SPEC 2.12).

A decision becomes a task with seed 004's five points — who, what, by when, where, how it is
checked. It lands on the assignee's desk (a to-do and an email), is reminded once when due, is
closed by the assignee with the result and checked by whoever assigned it (never by the assignee:
the assigner cannot assign to themselves). A check that fails sends it back open.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from .. import clock
from ..extensions import db
from ..models import User
from ..models.office import MINUTES_KINDS, TASK_CHECKED, TASK_DONE, TASK_OPEN, Minutes, Task
from . import audit, notify
from .errors import DomainError, Forbidden
from .text_rules import clean_text

RECORDERS = ("supervisor", "manager", "director", "gm", "assistant")
ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
LEADERS = ("manager", "director", "gm")
KIND_LABELS = {"weekly": _l("部门周例会"), "other": _l("其他会议")}
STATUS_LABELS = {TASK_OPEN: _l("进行中"), TASK_DONE: _l("待检查"), TASK_CHECKED: _l("已检查")}


class InputErrors(DomainError):
    def __init__(self, errors: dict):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def _text(fields: dict, name: str, limit: int, errors: dict, message, required=True) -> str:
    value = clean_text(fields.get(name) or "").strip()
    if required and not value:
        errors[name] = message
    elif len(value) > limit:
        errors[name] = _l("不能超过 %(n)s 个字", n=limit)
    return value


# ---- minutes ------------------------------------------------------------------------------------------

def record(actor: User, fields: dict) -> Minutes:
    if actor.role not in RECORDERS:
        raise Forbidden(_l("您的岗位不能登记会议纪要"))
    errors = {}
    title = _text(fields, "title", 120, errors, _l("请填写会议名称"))
    attendees = _text(fields, "attendees", 300, errors, _l("请填写参会人员"))
    decisions = _text(fields, "decisions", 10000, errors, _l("请填写会议决定"))
    if fields.get("kind") not in MINUTES_KINDS:
        errors["kind"] = _l("请选择会议类型")
    held_on = fields.get("held_on")
    if held_on is None:
        errors["held_on"] = _l("请填写会议日期")
    elif held_on > clock.today_local():
        errors["held_on"] = _l("会议日期不能晚于今天")
    if errors:
        raise InputErrors(errors)
    minutes = Minutes(kind=fields["kind"], title=title, held_on=held_on, attendees=attendees, decisions=decisions,
                      recorded_by_id=actor.id)
    minutes.recorded_by = actor
    db.session.add(minutes)
    db.session.flush()
    audit.record(actor, "minutes.record", minutes, after={"title": title, "held_on": held_on})
    return minutes


def get_minutes_or_404(user: User, minutes_id: int) -> Minutes:
    minutes = db.session.get(Minutes, minutes_id)
    if minutes is None or user.role not in ROLES:
        abort(404)
    return minutes


def minutes_query(q: str = ""):
    stmt = select(Minutes).order_by(Minutes.held_on.desc(), Minutes.id.desc())
    if q:
        stmt = stmt.where(or_(Minutes.title.contains(q, autoescape=True),
                              Minutes.decisions.contains(q, autoescape=True)))
    return stmt


# ---- tasks ---------------------------------------------------------------------------------------------

def assignable() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active, User.role.in_(ROLES)).order_by(User.id)))


def assign(actor: User, minutes: Minutes | None, assignee: User | None, fields: dict) -> Task:
    if actor.role not in RECORDERS:
        raise Forbidden(_l("您的岗位不能布置任务"))
    errors = {}
    what = _text(fields, "what", 300, errors, _l("请填写任务内容（做什么）"))
    place = _text(fields, "place", 120, errors, "", required=False)
    check_method = _text(fields, "check_method", 200, errors, _l("请填写检查方式（如何检查）"))
    due_on = fields.get("due_on")
    if assignee is None or not assignee.active:
        errors["assignee_id"] = _l("请选择负责人（谁来做）")
    elif assignee.id == actor.id:
        errors["assignee_id"] = _l("不能给自己布置任务：布置人要检查结果")
    if due_on is None:
        errors["due_on"] = _l("请填写完成期限（何时完成）")
    elif due_on < clock.today_local():
        errors["due_on"] = _l("完成期限不能早于今天")
    if errors:
        raise InputErrors(errors)
    task = Task(minutes_id=minutes.id if minutes else None, what=what, assignee_id=assignee.id,
                assigned_by_id=actor.id, due_on=due_on, place=place, check_method=check_method)
    task.assignee, task.assigned_by = assignee, actor
    db.session.add(task)
    db.session.flush()
    audit.record(actor, "task.assign", task, after={"what": what, "to": assignee.username, "due_on": due_on})
    subject = str(_l("新任务：%(what)s（%(due)s 前完成）", what=what, due=due_on.isoformat()))
    notify.tell(f"task:{task.id}:", assignee, subject, f"{subject}\n{check_method}", _url(task))
    return task


def can_see(user: User, task: Task) -> bool:
    return user.id in (task.assignee_id, task.assigned_by_id) or user.role in LEADERS


def get_task_or_404(user: User, task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or not can_see(user, task):
        abort(404)
    return task


def tasks_query(user: User, status: str = "", mine: str = ""):
    stmt = select(Task).order_by(Task.status != TASK_OPEN, Task.due_on, Task.id)
    if user.role not in LEADERS or mine:
        stmt = stmt.where(or_(Task.assignee_id == user.id, Task.assigned_by_id == user.id))
    if mine == "to_me":
        stmt = stmt.where(Task.assignee_id == user.id)
    elif mine == "by_me":
        stmt = stmt.where(Task.assigned_by_id == user.id)
    if status in STATUS_LABELS:
        stmt = stmt.where(Task.status == status)
    return stmt


def _locked(task: Task) -> Task:
    audit.lock()
    db.session.refresh(task, with_for_update=True)
    return task


def complete(actor: User, task: Task, result: str) -> Task:
    task = _locked(task)
    if task.assignee_id != actor.id:
        raise Forbidden(_l("只有负责人可以报告完成"))
    if task.status != TASK_OPEN:
        raise DomainError(_l("该任务当前状态为“%(status)s”", status=STATUS_LABELS[task.status]))
    result = clean_text(result or "").strip()
    if not result:
        raise DomainError(_l("请填写完成结果"), field="result")
    if len(result) > 2000:
        raise DomainError(_l("不能超过 %(n)s 个字", n=2000), field="result")
    task.status, task.result, task.done_at = TASK_DONE, result, clock.now_utc()
    db.session.flush()
    audit.record(actor, "task.done", task, before={"status": TASK_OPEN}, after={"status": TASK_DONE,
                                                                                "result": result})
    notify.close_todos([f"task:{task.id}:", f"task-due:{task.id}:"])
    subject = str(_l("任务待检查：%(what)s（%(name)s 已完成）", what=task.what, name=actor.name))
    notify.tell(f"task-check:{task.id}:{task.done_at:%Y%m%d%H%M%S%f}:", task.assigned_by, subject, result, _url(task))
    return task


def check(actor: User, task: Task, passed: bool, comment: str) -> Task:
    task = _locked(task)
    if task.assigned_by_id != actor.id:
        raise Forbidden(_l("只有布置任务的人可以检查"))
    if task.status != TASK_DONE:
        raise DomainError(_l("该任务尚未报告完成，不能检查"))
    comment = clean_text(comment or "").strip()
    if not passed and not comment:
        raise DomainError(_l("退回重做时请写明原因"), field="comment")
    if len(comment) > 300:
        raise DomainError(_l("不能超过 %(n)s 个字", n=300), field="comment")
    task.check_comment = comment
    if passed:
        task.status, task.checked_at = TASK_CHECKED, clock.now_utc()
    else:
        task.status, task.done_at = TASK_OPEN, None
        subject = str(_l("任务退回：%(what)s — %(comment)s", what=task.what, comment=comment))
        notify.tell(f"task-redo:{task.id}:{clock.now_utc():%Y%m%d%H%M%S%f}:", task.assignee, subject, subject,
                    _url(task))
    db.session.flush()
    notify.close_todos([f"task-check:{task.id}:"])
    audit.record(actor, "task.check", task, before={"status": TASK_DONE},
                 after={"status": task.status, "comment": comment})
    return task


def due_tasks(now: datetime | None = None) -> list[Task]:
    today: date = now.astimezone(clock.SHANGHAI).date() if now else clock.today_local()
    return list(db.session.scalars(select(Task).where(Task.status == TASK_OPEN, Task.due_on <= today)
                                   .order_by(Task.due_on)))


def remind_due(now: datetime | None = None) -> int:
    """Once per task (the key has no date): due today or overdue and still open."""
    sent = 0
    for task in due_tasks(now):
        subject = str(_l("任务到期：%(what)s（期限 %(due)s）", what=task.what, due=task.due_on.isoformat()))
        key = f"task-due:{task.id}:"
        notify.todo(key, task.assignee, subject, _url(task))
        sent += int(notify.email(key, task.assignee.email, subject, subject) is not None)
    return sent


def open_for(user: User) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.assignee_id == user.id, Task.status == TASK_OPEN)
                                   .order_by(Task.due_on)))


def to_check(user: User) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.assigned_by_id == user.id, Task.status == TASK_DONE)
                                   .order_by(Task.done_at)))


def _url(task: Task) -> str:
    try:
        return url_for("office.task_detail", task_id=task.id)
    except RuntimeError:
        return f"/office/tasks/{task.id}"
