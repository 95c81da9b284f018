"""Thin views: check the role (403) and the record scope (404), parse the form, one service call,
commit once, render the page or its fragment (HTMX) or redirect 303."""

import re
from datetime import date

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from .. import clock
from ..extensions import db, htmx
from ..models import Team, User
from ..models.attendance import CalendarOverride, LeaveRequest, Trip, Violation
from ..services import approvals
from ..services import attendance as svc
from ..services import leave as leave_svc
from ..services import meeting as meeting_svc
from ..services import trips as trip_svc
from ..services import violations as violation_svc
from ..services.errors import DomainError
from ..services.text_rules import whole_number
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.pickers import pinyin_choices
from ..web.rendering import render
from ..web.transaction import commit
from . import EVERYONE, LEADERS, SHEET_READERS, STAFF, bp
from .forms import (
    CheckInForm,
    CorrectionForm,
    LeaveForm,
    MeetingForm,
    MonthForm,
    OverrideForm,
    QuotaForm,
    TripForm,
    TripLinkForm,
    ViolationForm,
)

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@bp.context_processor
def _labels():
    return {"svc": svc, "leave_svc": leave_svc, "trip_svc": trip_svc, "violation_svc": violation_svc}


def _done(url: str, message):
    flash(message, "success")
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def _month_arg(default: str | None = None) -> str:
    month = request.args.get("month", "")
    return month if MONTH.match(month) else (default or clock.month_of(clock.today_local()))


def _apply_errors(form, exc: DomainError) -> None:
    errors = getattr(exc, "errors", None) or {exc.field: exc.message}
    for name, message in errors.items():
        target = getattr(form, name or "", None)
        if target is not None and hasattr(target, "errors") and isinstance(target.errors, list):
            target.errors.append(str(message))
        else:
            form.form_errors.append(str(message))


def _form_failed(form) -> bool:
    """Parse errors (e.g. a date typed wrong) are kept; say whether any field failed."""
    return any(f.errors for f in form)


# ---- my attendance ------------------------------------------------------------------------

@bp.get("/")
@role_required(*EVERYONE)
def index():
    if current_user.role not in STAFF:
        return redirect(url_for("attendance.board"), 303)
    return render("attendance/index.html", "today", **_index_context(CheckInForm()))


def _index_context(form):
    today = clock.today_local()
    month = _month_arg()
    first, last = clock.month_bounds(month)
    days = svc.statuses([current_user], first, last)[current_user.id]
    visits = svc.todays_visits(current_user, today)
    form.visit_id.choices = [SelectChoice("", _l("不是外勤（在办公室）"))] + [
        SelectChoice(v.id, f"{v.customer.name} · {v.purpose}") for v in visits]
    return {"form": form, "record": svc.record_for(current_user.id, today), "today": today,
            "day_status": svc.day_status(current_user, today), "days": days, "month": month, "visits": visits,
            "balances": leave_svc.balances(current_user, today.year),
            "corrections": []}


@bp.post("/check-in")
@role_required(*STAFF)
def check_in():
    form = CheckInForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        person = db.session.get(User, request.form.get("user_id", type=int)) if request.form.get("user_id") else None
        # The time is the server's; the device is only noted (a phone's browser says "Mobile").
        source = "phone" if "Mobile" in (request.user_agent.string or "") else "desk"
        svc.check_in(current_user, person, source=source, visit_id=form.visit_id.data)
    except DomainError as exc:
        db.session.rollback()
        _apply_errors(form, exc)
        return render("attendance/index.html", "today", status=422 if htmx else 200, **_index_context(form))
    commit()
    return _done(url_for("attendance.index"), _l("签到成功"))


@bp.post("/check-out")
@role_required(*STAFF)
def check_out():
    form = CheckInForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        svc.check_out(current_user)
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc.message))
        return render("attendance/index.html", "today", **_index_context(form))
    commit()
    return _done(url_for("attendance.index"), _l("签退成功"))


# ---- leaders' views ------------------------------------------------------------------------------

@bp.get("/board")
@role_required(*LEADERS)
def board():
    return render("attendance/board.html", "board", rows=svc.today_board(current_user), today=clock.today_local(),
                  remind_at=svc.company_settings.get("checkin_remind_at"))


@bp.get("/team")
@role_required(*LEADERS)
def team():
    month = _month_arg()
    team_id = request.args.get("team", type=int)
    teams = db.session.scalars(select(Team).order_by(Team.id)).all()
    if current_user.role == "supervisor":
        teams = [t for t in teams if t.supervisor_id == current_user.id]
    return render("attendance/team.html", "grid", cal=svc.team_calendar(current_user, month, team_id),
                  teams=teams, team_id=team_id, prev=clock.add_months(month, -1), next=clock.add_months(month, 1))


@bp.get("/people/<int:person_id>")
@role_required(*EVERYONE)
def person(person_id):
    someone = svc.person_or_404(current_user, person_id)
    return render("attendance/person.html", **_person_context(someone, QuotaForm()))


@bp.post("/people/<int:person_id>/quota")
@role_required("manager", "assistant")
def person_quota(person_id):
    someone = svc.person_or_404(current_user, person_id)
    form = QuotaForm()
    if form.validate_on_submit():
        try:
            leave_svc.set_quota(current_user, someone, form.year.data, form.days.data)
        except DomainError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
        else:
            commit()
            return _done(url_for("attendance.person", person_id=someone.id), _l("年假天数已保存"))
    return render("attendance/person.html", **_person_context(someone, form))


def _person_context(someone: User, quota_form) -> dict:
    month = _month_arg()
    first, last = clock.month_bounds(month)
    days = svc.statuses([someone], first, last)[someone.id]
    corrections = {}
    for c in db.session.scalars(select(svc.AttendanceCorrection).where(
            svc.AttendanceCorrection.user_id == someone.id,
            svc.AttendanceCorrection.day.between(first, last)).order_by(svc.AttendanceCorrection.id)):
        corrections.setdefault(c.day, []).append(c)
    records = {r.day: r for r in db.session.scalars(select(svc.AttendanceRecord).where(
        svc.AttendanceRecord.user_id == someone.id, svc.AttendanceRecord.day.between(first, last)))}
    if quota_form.year.data is None:
        quota_form.year.data = first.year
    return {"person": someone, "days": days, "month": month, "records": records, "corrections": corrections,
            "balances": leave_svc.balances(someone, first.year), "quota_form": quota_form,
            "prev": clock.add_months(month, -1), "next": clock.add_months(month, 1)}


# ---- corrections (补卡) ---------------------------------------------------------------------------

@bp.route("/correct", methods=["GET", "POST"])
@role_required("assistant")
def correct():
    form = CorrectionForm()
    people = [p for p in db.session.scalars(svc.attendees_query()) if p.id != current_user.id]
    form.user_id.choices = [SelectChoice("", _l("请选择"))] + pinyin_choices(people)
    if request.method == "GET":
        form.user_id.data = request.args.get("user", type=int)
        day = request.args.get("day", "")
        form.day.data = date.fromisoformat(day) if re.match(r"^\d{4}-\d\d-\d\d$", day) else None
    if form.validate_on_submit():
        person = db.session.get(User, form.user_id.data) if form.user_id.data else None
        try:
            if person is None:
                raise svc.InputErrors({"user_id": _l("请选择人员")})
            if form.day.data is None:
                raise svc.InputErrors({"day": _l("请填写日期")})
            svc.correct(current_user, person, form.day.data, form.check_in.data, form.check_out.data,
                        form.reason.data)
        except DomainError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
        else:
            commit()
            return _done(url_for("attendance.person", person_id=person.id, month=clock.month_of(form.day.data)),
                         _l("已补卡"))
    return render("attendance/correct.html", "form", form=form)


# ---- the monthly sheet ----------------------------------------------------------------------------

SHEET_HEADERS = ["姓名", "小组", "应出勤天数", "出勤天数", "迟到次数", "迟到分钟", "迟到罚款", "过失罚款", "奖励",
                 "罚款合计", "旷工天数", "出差天数", "外勤天数", "早会缺席", "过失/奖励单", "请假"]


def _leave_text(leave: dict) -> str:
    return ";".join(f"{leave_svc.KIND_LABELS[k]} {v}" for k, v in leave.items())


def sheet_cells(row: dict) -> list:
    return [row["name"], row["team"], row["workdays"], row["present"], row["late_count"], row["late_minutes"],
            row["late_fines"], row["violation_fines"], row["rewards"], row["fines"], row["absence_days"],
            row["trip_days"], row["field_days"], row["meeting_absences"], row["violations"], _leave_text(row["leave"])]


@bp.get("/sheet")
@role_required(*SHEET_READERS)
def sheet():
    month = _month_arg(clock.add_months(clock.month_of(clock.today_local()), -1))
    rows, closed = svc.sheet(month)
    if request.args.get("format") == "xlsx":
        return send_workbook(workbook(f"考勤表 {month}", SHEET_HEADERS, [sheet_cells(r) for r in rows]),
                             f"attendance-{month}.xlsx")
    return render("attendance/sheet.html", rows=rows, month=month, closed=closed, form=MonthForm(),
                  cells=sheet_cells, headers=SHEET_HEADERS, prev=clock.add_months(month, -1),
                  next=clock.add_months(month, 1))


@bp.get("/sheet/print")
@role_required(*SHEET_READERS)
def sheet_print():
    month = _month_arg(clock.add_months(clock.month_of(clock.today_local()), -1))
    rows, closed = svc.sheet(month)
    return render("attendance/sheet_print.html", rows=rows, month=month, closed=closed, cells=sheet_cells,
                  headers=SHEET_HEADERS)


@bp.post("/sheet/close")
@role_required("assistant")
def sheet_close():
    form = MonthForm()
    month = form.month.data if form.validate_on_submit() and MONTH.match(form.month.data or "") else ""
    if not month:
        raise DomainError(_l("月份格式应为 YYYY-MM"), field="month")
    svc.close_month(current_user, month)
    commit()
    return _done(url_for("attendance.sheet", month=month), _l("%(month)s 考勤已结账锁定", month=month))


@bp.post("/sheet/reopen")
@role_required("manager")
def sheet_reopen():
    form = MonthForm()
    month = form.month.data if form.validate_on_submit() and MONTH.match(form.month.data or "") else ""
    if not month:
        raise DomainError(_l("月份格式应为 YYYY-MM"), field="month")
    svc.reopen_month(current_user, month, form.reason.data or "")
    commit()
    return _done(url_for("attendance.sheet", month=month), _l("%(month)s 考勤已重新开启", month=month))


# ---- the company calendar ------------------------------------------------------------------------

@bp.route("/calendar", methods=["GET", "POST"])
@role_required("assistant", "manager")
def company_calendar():
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            if form.day.data is None:
                raise svc.InputErrors({"day": _l("请填写日期")})
            svc.set_override(current_user, form.day.data, form.kind.data or "", form.note.data or "")
        except DomainError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
        else:
            commit()
            return _done(url_for("attendance.company_calendar"), _l("公司日历已更新"))
    rows = db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day.desc())).all()
    return render("attendance/calendar.html", "form", form=form, rows=rows)


# ---- the morning meeting --------------------------------------------------------------------------

def _day_arg(text: str) -> date:
    """?day=2026-12-02, or today for anything else (an impossible date included)."""
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d\d-\d\d", text) else clock.today_local()
    except ValueError:
        return clock.today_local()


@bp.route("/meeting", methods=["GET", "POST"])
@role_required("assistant")
def meeting():
    day = _day_arg(request.args.get("day", ""))
    found = meeting_svc.meeting_for(day)
    form = MeetingForm() if request.method == "POST" else MeetingForm(obj=found, data={"day": day})
    error = None
    if form.validate_on_submit():
        day = form.day.data
        ids = [n for n in (whole_number(v) for v in request.form.getlist("present")) if n is not None]
        try:
            meeting_svc.record(current_user, day, ids, form.targets.data or "", form.problems.data or "")
        except DomainError as exc:
            db.session.rollback()
            error = exc.message
        else:
            commit()
            return _done(url_for("attendance.meeting", day=day.isoformat()), _l("早会记录已保存"))
    return render("attendance/meeting.html", "form", form=form, day=day, meeting=found, error=error,
                  people=meeting_svc.expected(day) if svc.is_working_day(day) else [],
                  at=svc.company_settings.get("morning_meeting"))


# ---- leave -----------------------------------------------------------------------------------------

@bp.get("/leave")
@role_required(*EVERYONE)
def leave_list():
    stmt = leave_svc.visible_query(current_user).order_by(LeaveRequest.start_day.desc(), LeaveRequest.id.desc())
    status = request.args.get("status", "")
    if status in leave_svc.STATUS_LABELS:
        stmt = stmt.where(LeaveRequest.status == status)
    if request.args.get("format") == "xlsx":
        rows = [(lv.user.name, str(leave_svc.KIND_LABELS[lv.kind]), leave_svc.period_label(lv), lv.days, lv.reason,
                 str(leave_svc.STATUS_LABELS[lv.status])) for lv in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("请假", ["姓名", "类型", "日期", "天数", "事由", "状态"], rows), "leave.xlsx")
    return render("attendance/leave_list.html", "list", page=paginate(stmt), status_filter=status,
                  can_create=current_user.role in STAFF)


@bp.route("/leave/new", methods=["GET", "POST"])
@role_required(*STAFF)
def leave_new():
    form = LeaveForm()
    if form.validate_on_submit() or (request.method == "POST" and not _form_failed(form)):
        try:
            leave = leave_svc.request_leave(current_user, form.fields_dict())
        except DomainError as exc:
            db.session.rollback()
            _apply_errors(form, exc)
        else:
            commit()
            return _done(url_for("attendance.leave_detail", leave_id=leave.id), _l("请假申请已提交审批"))
    return render("attendance/leave_form.html", "form", form=form,
                  balances=leave_svc.balances(current_user, clock.today_local().year))


@bp.get("/leave/<int:leave_id>")
@role_required(*EVERYONE)
def leave_detail(leave_id):
    leave = leave_svc.get_visible_or_404(current_user, leave_id)
    req = leave_svc.approval_request(leave)
    return render("attendance/leave_detail.html", leave=leave, req=req, form=MonthForm())


@bp.post("/leave/<int:leave_id>/cancel")
@role_required(*STAFF)
def leave_cancel(leave_id):
    leave = leave_svc.get_visible_or_404(current_user, leave_id)
    if leave.user_id != current_user.id:
        abort(403)
    leave_svc.cancel(current_user, leave)
    commit()
    return _done(url_for("attendance.leave_detail", leave_id=leave.id), _l("请假已取消"))


# ---- trips ------------------------------------------------------------------------------------------

@bp.get("/trips")
@role_required(*EVERYONE)
def trip_list():
    stmt = trip_svc.visible_query(current_user).order_by(Trip.start_day.desc(), Trip.id.desc())
    if request.args.get("format") == "xlsx":
        rows = [(t.user.name, t.destination, t.start_day, t.end_day, t.purpose, t.customers, t.estimated_cost,
                 t.advance_needed, str(trip_svc.STATUS_LABELS[t.status])) for t in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("出差", ["出差人", "地点", "开始", "结束", "事由", "拟拜访客户", "预计费用", "需借款",
                                             "状态"], rows), "trips.xlsx")
    return render("attendance/trip_list.html", "list", page=paginate(stmt), can_create=current_user.role in STAFF)


@bp.route("/trips/new", methods=["GET", "POST"])
@role_required(*STAFF)
def trip_new():
    form = TripForm()
    if request.method == "POST":
        form.validate_on_submit()
        if not _form_failed(form):
            try:
                trip = trip_svc.request_trip(current_user, form.fields_dict())
            except DomainError as exc:
                db.session.rollback()
                _apply_errors(form, exc)
            else:
                commit()
                return _done(url_for("attendance.trip_detail", trip_id=trip.id), _l("出差申请已提交审批"))
    return render("attendance/trip_form.html", "form", form=form)


@bp.get("/trips/<int:trip_id>")
@role_required(*EVERYONE)
def trip_detail(trip_id):
    trip = trip_svc.get_visible_or_404(current_user, trip_id)
    return render("attendance/trip_detail.html", **_trip_context(trip, TripLinkForm()))


def _trip_context(trip: Trip, form) -> dict:
    req = approvals.request_for(trip_svc.DOC_TYPE, trip.id)
    can_link = current_user.id == trip.user_id or current_user.role in svc.KEEPERS
    return {"trip": trip, "req": req, "form": form,
            "links": trip_svc.linked_docs(trip), "visits": trip_svc.visits_during(trip),
            "linkable": trip_svc.linkable(trip) if can_link else {}, "can_link": can_link}


@bp.post("/trips/<int:trip_id>/link")
@role_required(*STAFF)
def trip_link(trip_id):
    trip = trip_svc.get_visible_or_404(current_user, trip_id)
    form = TripLinkForm()
    kind, _, number = (form.doc.data or "").partition(":") if form.validate_on_submit() else ("", "", "")
    try:
        trip_svc.link(current_user, trip, kind, whole_number(number) or 0)
    except DomainError as exc:
        db.session.rollback()
        _apply_errors(form, exc)
        return render("attendance/trip_detail.html", **_trip_context(trip, form))
    commit()
    return _done(url_for("attendance.trip_detail", trip_id=trip.id), _l("已关联到出差"))


# ---- violations ------------------------------------------------------------------------------------

@bp.get("/violations")
@role_required(*EVERYONE)
def violation_list():
    stmt = violation_svc.visible_query(current_user).order_by(Violation.day.desc(), Violation.id.desc())
    if request.args.get("format") == "xlsx":
        rows = [(v.day, v.user.name, str(violation_svc.KIND_LABELS[v.kind]), str(violation_svc.BY_CODE[v.rule].label),
                 v.amount, v.occurrence, "是" if v.proposes_dismissal else "", v.evidence, v.filed_by.name,
                 str(violation_svc.STATUS_LABELS[v.status])) for v in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("过失单奖励单", ["日期", "人员", "类别", "条款", "金额", "第几次", "建议除名", "事实与证据",
                                                  "填写人", "状态"], rows), "violations.xlsx")
    return render("attendance/violation_list.html", "list", page=paginate(stmt),
                  can_file=bool(violation_svc.subordinates(current_user)))


@bp.route("/violations/new", methods=["GET", "POST"])
@role_required("supervisor", "manager", "director", "gm")
def violation_new():
    form = ViolationForm()
    people = violation_svc.subordinates(current_user)
    form.user_id.choices = [SelectChoice("", _l("请选择"))] + pinyin_choices(people)
    if request.method == "POST":
        form.validate_on_submit()
        if not _form_failed(form):
            person = next((p for p in people if p.id == form.user_id.data), None)
            try:
                slip = violation_svc.file(current_user, person, form.fields_dict())
            except DomainError as exc:
                db.session.rollback()
                _apply_errors(form, exc)
            else:
                commit()
                return _done(url_for("attendance.violation_detail", violation_id=slip.id), _l("已提交审批"))
    return render("attendance/violation_form.html", "form", form=form)


@bp.get("/violations/<int:violation_id>")
@role_required(*EVERYONE)
def violation_detail(violation_id):
    slip = violation_svc.get_visible_or_404(current_user, violation_id)
    req = approvals.request_for(violation_svc.DOC_TYPE, slip.id)
    return render("attendance/violation_detail.html", slip=slip, req=req,
                  count=violation_svc.count_for(slip.user_id, slip.rule))
