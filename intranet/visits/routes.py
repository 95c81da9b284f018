"""Thin views over services.visits; every plan and report is loaded through the viewer's scope."""


from flask import abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from ..clock import now_utc, today_local
from ..extensions import db, htmx
from ..models import Customer, User
from ..models.visits import FollowUp, PlannedVisit, VisitPlan, VisitReport
from ..services import approvals as engine
from ..services import customers as customer_rules
from ..services import visits as svc
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.form_errors import attach_error
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.pickers import pinyin_choices
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import FollowUpDoneForm, PlanForm, ReportForm, ReviewForm, RowForm

VIEWERS = ("rep", "supervisor", "manager", "director", "gm", "assistant")


def _field_error(form, exc: DomainError):
    """Next to its field, or returned to be shown atop the form (flashed only without HTMX)."""
    return attach_error(form, exc, flash_unplaced=not htmx)


def _reps_in_scope() -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.role == "rep", customer_rules.rep_scope(current_user, User.id)).order_by(User.id)))


@bp.get("/")
@role_required(*VIEWERS)
def index():
    return redirect(url_for("visits.plans"))


# ---- plans --------------------------------------------------------------------------

@bp.get("/plans")
@role_required(*VIEWERS)
def plans():
    month = request.args.get("month", "").strip()
    rep_id = request.args.get("rep", type=int)
    stmt = (svc.visible_plans(current_user).options(selectinload(VisitPlan.rep), selectinload(VisitPlan.visits))
            .order_by(VisitPlan.month.desc(), VisitPlan.id.desc()))
    if month:
        stmt = stmt.where(VisitPlan.month == month)
    if rep_id:
        stmt = stmt.where(VisitPlan.rep_id == rep_id)
    if request.args.get("format") == "xlsx":
        rows = [(p.month, p.rep.name, p.version, str(svc.STATUS_LABELS[p.status]), len(p.visits), p.total_cost,
                 p.submitted_at, p.approved_at) for p in db.session.scalars(stmt)]
        headers = ["月份", "销售代表", "版本", "状态", "拜访次数", "预计费用", "提交时间", "批准时间"]
        return send_workbook(workbook("拜访计划", headers, rows), "visit-plans.xlsx")
    form = PlanForm(month=svc.next_month(today_local())) if current_user.role == "rep" else None
    return render("visits/plans.html", "list", page=paginate(stmt), month=month, rep_id=rep_id, form=form,
                  reps=_reps_in_scope() if current_user.role != "rep" else [], labels=svc.STATUS_LABELS)


@bp.post("/plans/new")
@role_required("rep")
def plan_new():
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = svc.create_plan(current_user, form.month.data)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            commit()
            return redirect(url_for("visits.plan_detail", plan_id=plan.id), 303)
    else:
        flash(_l("请填写月份"), "error")
    return redirect(url_for("visits.plans"), 303)


def _row_form(plan: VisitPlan, row: PlannedVisit | None = None, formdata=True) -> RowForm:
    form = RowForm(obj=row) if formdata else RowForm(formdata=None, obj=row)
    form.customer.choices = pinyin_choices(svc.customers_for(plan.rep))
    if row is not None and request.method == "GET":
        form.customer.data = row.customer_id
    return form


def _plan_ctx(plan: VisitPlan, **extra) -> dict:
    can_edit = plan.rep_id == current_user.id and plan.status in svc.EDITABLE
    reports = {r.planned_visit_id: r for r in db.session.scalars(select(VisitReport).where(
        VisitReport.planned_visit_id.in_([v.id for v in plan.visits])))} if plan.status == "approved" else {}
    ctx = {"plan": plan, "can_edit": can_edit, "form": _row_form(plan, formdata=False) if can_edit else None,
           "edit_row": None, "edit_form": None, "req": engine.request_for("visit_plan", plan.id),
           "labels": svc.STATUS_LABELS, "reports": reports, "amendment": svc.open_amendment(plan),
           "today": today_local(), "decision_next": url_for("visits.plan_detail", plan_id=plan.id),
           "overdue": {v.id for v in plan.visits if plan.status == "approved" and v.id not in reports
                       and svc.is_overdue(v.date)}}
    return ctx | extra


@bp.get("/plans/<int:plan_id>")
@role_required(*VIEWERS)
def plan_detail(plan_id):
    plan = svc.get_plan_or_404(current_user, plan_id)
    return render("visits/plan.html", **_plan_ctx(plan))


@bp.get("/plans/<int:plan_id>/rows")
@role_required(*VIEWERS)
def plan_rows(plan_id):
    """The rows table alone (HTMX: cancel an inline edit, refresh)."""
    plan = svc.get_plan_or_404(current_user, plan_id)
    return render("visits/plan.html", "rows", **_plan_ctx(plan))


def _row_args(form: RowForm) -> dict:
    return {"customer_id": form.customer.data, "day": form.date.data, "hours": form.hours.data,
            "purpose": form.purpose.data, "items": form.items.data,
            "expected_cost": form.expected_cost.amount if form.expected_cost.amount is not None else None}


@bp.post("/plans/<int:plan_id>/rows")
@role_required("rep")
def row_add(plan_id):
    plan = svc.get_plan_or_404(current_user, plan_id)
    form = _row_form(plan)
    error = None
    if form.validate_on_submit():
        try:
            svc.add_visit(current_user, plan, **_row_args(form))
        except DomainError as exc:
            db.session.rollback()
            error = _field_error(form, exc)
        else:
            commit()
            if not htmx:
                return redirect(url_for("visits.plan_detail", plan_id=plan.id), 303)
            return render("visits/plan.html", "editor", oob=("rows",), rows_oob=True, **_plan_ctx(plan))
    return render("visits/plan.html", "editor", **_plan_ctx(plan, form=form, can_edit=True, error=error))


def _own_row(plan_id: int, row_id: int) -> tuple[VisitPlan, PlannedVisit]:
    plan = svc.get_plan_or_404(current_user, plan_id)
    row = db.session.get(PlannedVisit, row_id)
    if row is None or row.plan_id != plan.id:
        abort(404)
    return plan, row


@bp.route("/plans/<int:plan_id>/rows/<int:row_id>", methods=["GET", "POST"])
@role_required("rep")
def row_edit(plan_id, row_id):
    plan, row = _own_row(plan_id, row_id)
    form = _row_form(plan, row)
    error = None
    if form.validate_on_submit():
        try:
            svc.update_visit(current_user, row, **_row_args(form))
        except DomainError as exc:
            db.session.rollback()
            error = _field_error(form, exc)
        else:
            commit()
            if not htmx:
                return redirect(url_for("visits.plan_detail", plan_id=plan.id), 303)
            return render("visits/plan.html", "rows", **_plan_ctx(plan))
    return render("visits/plan.html", "rows", **_plan_ctx(plan, edit_row=row, edit_form=form, error=error))


@bp.post("/plans/<int:plan_id>/rows/<int:row_id>/delete")
@role_required("rep")
def row_delete(plan_id, row_id):
    plan, row = _own_row(plan_id, row_id)
    try:
        svc.delete_visit(current_user, row)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        commit()
    if not htmx:
        return redirect(url_for("visits.plan_detail", plan_id=plan.id), 303)
    return render("visits/plan.html", "rows", **_plan_ctx(plan))


@bp.post("/plans/<int:plan_id>/submit")
@role_required("rep")
def plan_submit(plan_id):
    plan = svc.get_plan_or_404(current_user, plan_id)
    try:
        svc.submit_plan(current_user, plan)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        commit()
        flash(_l("已提交主管审核"), "success")
    return redirect(url_for("visits.plan_detail", plan_id=plan.id), 303)


@bp.post("/plans/<int:plan_id>/amend")
@role_required("rep")
def plan_amend(plan_id):
    plan = svc.get_plan_or_404(current_user, plan_id)
    try:
        new = svc.amend(current_user, plan)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("visits.plan_detail", plan_id=plan.id), 303)
    commit()
    return redirect(url_for("visits.plan_detail", plan_id=new.id), 303)


@bp.get("/plans/<int:plan_id>/print")
@role_required(*VIEWERS)
def plan_print(plan_id):
    plan = svc.get_plan_or_404(current_user, plan_id)
    return render("visits/plan_print.html", plan=plan, req=engine.request_for("visit_plan", plan.id),
                  labels=svc.STATUS_LABELS)


# ---- reports ------------------------------------------------------------------------

@bp.get("/reports")
@role_required(*VIEWERS)
def reports():
    month = request.args.get("month", "").strip()
    rep_id = request.args.get("rep", type=int)
    stmt = (svc.visible_reports(current_user)
            .options(selectinload(VisitReport.rep), selectinload(VisitReport.customer),
                     selectinload(VisitReport.follow_ups))
            .order_by(VisitReport.visit_date.desc(), VisitReport.id.desc()))
    if month:
        try:
            first, last = svc.month_bounds(svc.parse_month(month))
        except DomainError:
            first = last = None
        if first:
            stmt = stmt.where(VisitReport.visit_date >= first, VisitReport.visit_date <= last)
    if rep_id:
        stmt = stmt.where(VisitReport.rep_id == rep_id)
    if request.args.get("unreviewed"):
        stmt = stmt.where(VisitReport.reviewed_at.is_(None))
    days = svc.report_days()
    if request.args.get("format") == "xlsx":
        rows = [(r.visit_date, r.rep.name, r.customer.name, "计划外" if r.unplanned else "计划内", r.outcome,
                 r.promises, "; ".join(f"{f.action}({f.due_on})" for f in r.follow_ups), r.filed_at,
                 "逾期" if svc.filed_late(r, days) else "按时", "已审阅" if r.reviewed_at else "未审阅")
                for r in db.session.scalars(stmt)]
        headers = ["拜访日期", "销售代表", "客户", "类型", "拜访结果", "承诺事项", "后续事项", "提交时间", "是否按时", "审阅"]
        return send_workbook(workbook("拜访报告", headers, rows), "visit-reports.xlsx")
    due = svc.reports_due(current_user) if current_user.role == "rep" else []
    return render("visits/reports.html", "list", page=paginate(stmt), month=month, rep_id=rep_id, due=due,
                  days=days, filed_late=svc.filed_late,
                  reps=_reps_in_scope() if current_user.role != "rep" else [])


def _report_form(planned: PlannedVisit | None) -> ReportForm:
    form = ReportForm()
    if planned is None:
        form.customer.choices = [SelectChoice(0, "—")] + pinyin_choices(svc.customers_for(current_user))
    else:
        form.customer.choices = [SelectChoice(planned.customer_id, planned.customer.name)]
    return form


@bp.route("/reports/new", methods=["GET", "POST"])
@role_required("rep")
def report_new():
    planned = None
    visit_id = request.args.get("visit", type=int)
    if visit_id:
        planned = db.session.get(PlannedVisit, visit_id)
        if planned is None or planned.plan.rep_id != current_user.id:
            abort(404)
    form = _report_form(planned)
    if form.validate_on_submit():
        follow_ups = [(e.form.action.data or "", e.form.due_on.data) for e in form.follow_ups]
        customer = None if planned else db.session.get(Customer, form.customer.data or 0)
        try:
            report = svc.file_report(current_user, outcome=form.outcome.data, promises=form.promises.data,
                                     follow_ups=follow_ups, planned_visit=planned, customer=customer,
                                     visit_date=None if planned else form.visit_date.data,
                                     now=now_utc())
        except DomainError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            commit()
            flash(_l("已提交拜访报告"), "success")
            return redirect(url_for("visits.report_detail", report_id=report.id), 303)
    return render("visits/report_form.html", "form", form=form, planned=planned,
                  due_on=svc.due_date(planned.date) if planned else None)


@bp.get("/reports/<int:report_id>")
@role_required(*VIEWERS)
def report_detail(report_id):
    report = svc.get_report_or_404(current_user, report_id)
    can_review = (current_user.role in svc.REVIEWERS and report.reviewed_at is None
                  and current_user.id != report.rep_id)
    return render("visits/report.html", report=report, late=svc.filed_late(report), due_on=svc.due_date(report.visit_date),
                  form=ReviewForm() if can_review else None)


@bp.post("/reports/<int:report_id>/review")
@role_required(*svc.REVIEWERS)
def report_review(report_id):
    report = svc.get_report_or_404(current_user, report_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            svc.review(current_user, report, form.comment.data)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            commit()
            flash(_l("已审阅"), "success")
    return redirect(url_for("visits.report_detail", report_id=report.id), 303)


# ---- follow-ups ---------------------------------------------------------------------

@bp.get("/follow-ups")
@role_required(*VIEWERS)
def follow_ups():
    state = request.args.get("state", "open")
    rep_id = request.args.get("rep", type=int)
    today = today_local()
    stmt = (svc.visible_follow_ups(current_user)
            .options(selectinload(FollowUp.assignee), selectinload(FollowUp.done_by),
                     selectinload(FollowUp.report).selectinload(VisitReport.customer))
            .order_by(FollowUp.due_on, FollowUp.id))
    if state == "done":
        stmt = stmt.where(FollowUp.done_at.is_not(None))
    elif state == "overdue":
        stmt = stmt.where(FollowUp.done_at.is_(None), FollowUp.due_on < today)
    elif state != "all":
        state = "open"
        stmt = stmt.where(FollowUp.done_at.is_(None))
    if rep_id:
        stmt = stmt.where(FollowUp.assignee_id == rep_id)
    if request.args.get("format") == "xlsx":
        rows = [(f.due_on, f.assignee.name if f.assignee else "", f.report.customer.name, f.action,
                 "已完成" if f.done else ("逾期" if f.due_on < today else "未完成"), f.done_at, f.done_note)
                for f in db.session.scalars(stmt)]
        headers = ["完成日期", "负责人", "客户", "后续事项", "状态", "完成时间", "完成情况"]
        return send_workbook(workbook("后续事项", headers, rows), "follow-ups.xlsx")
    return render("visits/follow_ups.html", "list", page=paginate(stmt), state=state, rep_id=rep_id, today=today,
                  form=FollowUpDoneForm(), reps=_reps_in_scope() if current_user.role != "rep" else [])


@bp.post("/follow-ups/<int:follow_up_id>/done")
@role_required(*VIEWERS)
def follow_up_done(follow_up_id):
    item = svc.get_follow_up_or_404(current_user, follow_up_id)
    form = FollowUpDoneForm()
    error = None
    if form.validate_on_submit():
        try:
            svc.complete_follow_up(current_user, item, form.note.data, now=now_utc())
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            commit()
    else:
        error = next(iter(form.note.errors), None) or _l("请填写完成情况")
    if htmx:
        db.session.refresh(item)
        return render("visits/follow_ups.html", "row", f=item, form=FollowUpDoneForm(formdata=None), error=error,
                      today=today_local())
    flash(error or _l("已标记完成"), "error" if error else "success")
    return redirect(url_for("visits.follow_ups"), 303)


# ---- plan vs actual -----------------------------------------------------------------

@bp.get("/stats")
@role_required(*svc.STATS_VIEWERS)
def stats():
    month = request.args.get("month", "").strip() or svc.month_of(today_local())
    try:
        month = svc.parse_month(month)
    except DomainError:
        month = svc.month_of(today_local())
    rows, teams = svc.plan_vs_actual(current_user, month)
    if request.args.get("format") == "xlsx":
        data = [(f.label, f.planned, f.done, f.on_time, f.late, f.missed, f.unplanned,
                 f.rate / 100 if f.rate is not None else None) for f in [*rows, *teams]]
        headers = ["销售代表/团队", "计划拜访", "已完成", "按时报告", "逾期报告", "未拜访（已逾期）", "计划外", "计划达成率"]
        wb = workbook(f"计划达成 {month}", headers, data)
        for cell in wb.active["H"][1:]:
            cell.number_format = "0.0%"
        return send_workbook(wb, f"visit-stats-{month}.xlsx")
    return render("visits/stats.html", "table", rows=rows, teams=teams, month=month)
