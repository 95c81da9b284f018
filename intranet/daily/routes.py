"""Thin views: load the record within the user's scope (404), check the role (403), parse the form,
one service call, commit once, render the page or its fragment (HTMX) or redirect 303."""

from datetime import date, timedelta

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..clock import today_local
from ..extensions import db, htmx
from ..models.daily import REPORT_KINDS, DailySheet
from ..services import daily_report as report_svc
from ..services import daily_sheets as svc
from ..services.errors import AlreadyDecided, DomainError, Forbidden
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import CommentForm, EmptyForm, NoteForm, SheetForm, SubscriptionForm

READERS = ("assistant", "manager", "director", "gm")  # the compiled report


@bp.context_processor
def _labels():
    return {"svc": svc, "report_svc": report_svc}


def _day_arg(name: str = "on") -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return today_local()


def _done(url: str, message):
    flash(message, "success")
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def _failed(form, exc: DomainError) -> None:
    db.session.rollback()
    if isinstance(exc, Forbidden):
        abort(403)
    if isinstance(exc, AlreadyDecided):
        raise exc  # someone (or another tab) was first: 409 with the message
    errors = exc.errors if isinstance(exc, svc.InputErrors) else {exc.field or "_form": exc.message}
    for name, message in errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, str(message)]
        else:
            form.form_errors.append(str(message))


@bp.get("/")
@role_required(*svc.VIEWERS)
def index():
    stmt = svc.visible_query(current_user).options(selectinload(DailySheet.rep)).order_by(
        DailySheet.day.desc(), DailySheet.rep_id)
    rep_id = request.args.get("rep", type=int)
    status = request.args.get("status", "")
    if rep_id:
        stmt = stmt.where(DailySheet.rep_id == rep_id)
    if status == "late":
        stmt = stmt.where(DailySheet.late)
    elif status == "unchecked":
        stmt = stmt.where(DailySheet.checked_at.is_(None))
    month = request.args.get("month", "")[:7]
    if len(month) == 7 and month[4] == "-" and month.replace("-", "").isdigit() and 1 <= int(month[5:]) <= 12:
        from ..clock import month_bounds

        stmt = stmt.where(DailySheet.day.between(*month_bounds(month)))
    else:
        month = ""
    if request.args.get("format") == "xlsx":
        rows = [(s.day, s.rep.name, s.visits_done, s.calls, s.orders_amount, s.payments_amount, s.orders_note,
                 s.opinions, s.problems, s.tomorrow, "迟交" if s.late else "", s.comment, "已核对" if s.checked_at else "")
                for s in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("销售日报表", ["日期", "业务员", "拜访", "电话", "订单金额", "回款金额", "订单情况", "客户意见",
                                                "存在问题", "明日计划", "迟交", "主管批注", "核对"], rows), "daily-sheets.xlsx")
    return render("daily/index.html", "list", page=paginate(stmt), reps=svc.reps_in_scope(current_user),
                  f={"rep": rep_id, "status": status, "month": month}, today=today_local())


@bp.get("/day")
@role_required(*svc.VIEWERS)
def day():
    on = _day_arg()
    return render("daily/day.html", "list", on=on, rows=svc.day_overview(current_user, on),
                  prev=on - timedelta(days=1), next=on + timedelta(days=1), form=EmptyForm())


@bp.route("/file", methods=["GET", "POST"])
@role_required("rep")
def file():
    on = _day_arg()
    sheet = svc.for_day(current_user, on)
    form = SheetForm(obj=sheet) if request.method == "GET" and sheet else SheetForm()
    if form.validate_on_submit():
        try:
            sheet = svc.file_sheet(current_user, on, {k: form[k].data for k in (
                "calls", "orders_amount", "payments_amount", "orders_note", "opinions", "problems", "tomorrow")})
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("daily.detail", sheet_id=sheet.id), _l("%(day)s 的销售日报表已提交", day=on.isoformat()))
    return render("daily/file.html", "form", form=form, on=on, sheet=sheet, visits=svc.visits_done(current_user.id, on),
                  away=svc.away(current_user.id, on), due=svc.due_at(on))


@bp.get("/<int:sheet_id>")
@role_required(*svc.VIEWERS)
def detail(sheet_id):
    sheet = svc.get_visible_or_404(current_user, sheet_id)
    return render("daily/detail.html", sheet=sheet, form=CommentForm(obj=sheet), check_form=EmptyForm())


@bp.post("/<int:sheet_id>/comment")
@role_required(*svc.COMMENTERS)
def comment(sheet_id):
    sheet = svc.get_visible_or_404(current_user, sheet_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            svc.comment(current_user, sheet, form.comment.data)
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("daily.detail", sheet_id=sheet.id), _l("批注已保存"))
    return render("daily/detail.html", "comment", sheet=sheet, form=form, check_form=EmptyForm())


@bp.post("/<int:sheet_id>/check")
@role_required(*svc.CHECKERS)
def check(sheet_id):
    sheet = svc.get_visible_or_404(current_user, sheet_id)
    svc.mark_checked(current_user, sheet.id)  # already checked: 409 with the message
    commit()
    if htmx:
        return render("daily/day.html", "row", r={"rep": sheet.rep, "sheet": sheet, "away": "", "overdue": False},
                      form=EmptyForm())
    return _done(url_for("daily.detail", sheet_id=sheet.id), _l("已核对"))


# ---- the compiled daily report --------------------------------------------------------------

def _kind_arg() -> str:
    kind = request.values.get("kind", "daily")
    return kind if kind in REPORT_KINDS else "daily"


@bp.route("/report", methods=["GET", "POST"])
@role_required(*READERS)
def report():
    """Preview (everyone who reads it) and, for the assistant, the covering note and Send."""
    kind, on = _kind_arg(), _day_arg()
    form = NoteForm()
    if request.method == "GET":
        form.note.data = report_svc.note_for(kind, on)
    elif current_user.role not in report_svc.SENDERS:
        abort(403)
    elif form.validate_on_submit():
        try:
            if request.form.get("send"):
                row = report_svc.send(kind, on, current_user, form.note.data)
                message = _l("已发送给 %(n)d 位收件人", n=row.recipients)
            else:
                report_svc.save_note(current_user, kind, on, form.note.data)
                message = _l("说明已保存")
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("daily.report", kind=kind, on=on.isoformat()), message)
    built = report_svc.build(kind, on, form.note.data or "")
    return render("daily/report.html", kind=kind, on=on, form=form, built=built,
                  sent=report_svc.sent_row(kind, on), recipients=report_svc.recipients(kind))


@bp.route("/subscriptions", methods=["GET", "POST"])
@role_required(*report_svc.EDITORS)
def subscriptions():
    form = SubscriptionForm()
    if form.validate_on_submit():
        try:
            report_svc.add_subscription(current_user, form.kind.data, form.address.data, form.label.data)
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("daily.subscriptions"), _l("订阅已添加"))
    kinds = {k: report_svc.recipients(k) for k in (*REPORT_KINDS, *report_svc.REPORT_SUBSCRIPTIONS)}
    return render("daily/subscriptions.html", "form", form=form, subs=report_svc.subscriptions(), kinds=kinds,
                  remove_form=EmptyForm(), defaults=report_svc.DEFAULTS)


@bp.post("/subscriptions/<int:sub_id>/remove")
@role_required(*report_svc.EDITORS)
def subscription_remove(sub_id):
    report_svc.remove_subscription(current_user, sub_id)
    commit()
    return _done(url_for("daily.subscriptions"), _l("订阅已删除"))

