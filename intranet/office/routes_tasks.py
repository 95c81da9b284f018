"""Meeting minutes and tasks: the minutes list and form, a meeting with the tasks it assigned, the
task list, a task closed with its result and checked by whoever assigned it."""

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..models import User
from ..services import minutes as svc
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import CheckForm, MinutesForm, ResultForm, TaskForm
from .views import done, failed, q_arg


@bp.context_processor
def _task_labels():
    return {"task_svc": svc}


def _task_form(form=None):
    form = form or TaskForm()
    form.assignee_id.choices = [("", "—")] + [(u.id, u.name) for u in svc.assignable() if u.id != current_user.id]
    return form


@bp.get("/minutes")
@role_required(*svc.ROLES)
def minutes_list():
    q = q_arg()
    return render("office/minutes_list.html", "list", page=paginate(svc.minutes_query(q)), f={"q": q},
                  can_record=current_user.role in svc.RECORDERS)


@bp.route("/minutes/new", methods=["GET", "POST"])
@role_required(*svc.RECORDERS)
def minutes_new():
    form = MinutesForm()
    if form.validate_on_submit():
        try:
            minutes = svc.record(current_user, {k: form[k].data for k in
                                                ("kind", "title", "held_on", "attendees", "decisions")})
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.minutes_detail", minutes_id=minutes.id), _l("会议纪要已登记"))
    return render("office/minutes_form.html", "form", form=form)


def _minutes_page(minutes, form=None):
    can_assign = current_user.role in svc.RECORDERS
    return render("office/minutes.html", minutes=minutes, form=_task_form(form) if can_assign else None)


@bp.get("/minutes/<int:minutes_id>")
@role_required(*svc.ROLES)
def minutes_detail(minutes_id):
    return _minutes_page(svc.get_minutes_or_404(current_user, minutes_id))


@bp.post("/minutes/<int:minutes_id>/tasks")
@role_required(*svc.RECORDERS)
def task_new(minutes_id):
    minutes = svc.get_minutes_or_404(current_user, minutes_id)
    form = _task_form(TaskForm())
    if form.validate_on_submit():
        assignee = db.session.get(User, form.assignee_id.data) if form.assignee_id.data else None
        try:
            task = svc.assign(current_user, minutes, assignee, {k: form[k].data for k in
                                                                ("what", "due_on", "place", "check_method")})
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.minutes_detail", minutes_id=minutes.id),
                        _l("任务已布置给 %(name)s", name=task.assignee.name))
    return _minutes_page(minutes, form)


@bp.get("/tasks")
@role_required(*svc.ROLES)
def tasks():
    status = request.args.get("status") if request.args.get("status") in svc.STATUS_LABELS else ""
    mine = request.args.get("mine") if request.args.get("mine") in ("to_me", "by_me") else ""
    stmt = svc.tasks_query(current_user, status, mine)
    if request.args.get("format") == "xlsx":
        rows = [(t.what, t.assignee.name, t.due_on, t.place, t.check_method, t.assigned_by.name,
                 str(svc.STATUS_LABELS[t.status]), t.result, t.check_comment) for t in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("任务", ["做什么", "谁来做", "何时完成", "在哪里做", "如何检查", "布置人", "状态", "结果",
                                             "检查意见"], rows), "tasks.xlsx")
    return render("office/tasks.html", "list", page=paginate(stmt), f={"status": status, "mine": mine})


def _task_page(task, result_form=None, check_form=None):
    return render("office/task.html", task=task, result_form=result_form or ResultForm(),
                  check_form=check_form or CheckForm())


@bp.get("/tasks/<int:task_id>")
@role_required(*svc.ROLES)
def task_detail(task_id):
    return _task_page(svc.get_task_or_404(current_user, task_id))


@bp.post("/tasks/<int:task_id>/done")
@role_required(*svc.ROLES)
def task_done(task_id):
    task = svc.get_task_or_404(current_user, task_id)
    form = ResultForm()
    if form.validate_on_submit():
        try:
            svc.complete(current_user, task, form.result.data)
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.task_detail", task_id=task.id), _l("已报告完成，等待检查"))
    return _task_page(task, result_form=form)


@bp.post("/tasks/<int:task_id>/check")
@role_required(*svc.ROLES)
def task_check(task_id):
    task = svc.get_task_or_404(current_user, task_id)
    form = CheckForm()
    if form.validate_on_submit():
        try:
            svc.check(current_user, task, request.form.get("outcome") != "redo", form.comment.data)
        except DomainError as exc:
            failed(form, exc)
        else:
            commit()
            return done(url_for("office.task_detail", task_id=task.id), _l("已检查"))
    return _task_page(task, check_form=form)
