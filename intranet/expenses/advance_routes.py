"""Thin views over services.advances: request, submit, finance pays out, returns, outstanding per person."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..models import Advance
from ..services import advances, approvals
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.guards import ALL_ROLES, role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import AdvanceForm, AdvanceReturnForm
from .routes import field_error


@bp.get("/advances", endpoint="advances")
@role_required(*ALL_ROLES)
def advances_list():
    stmt = advances.visible(current_user)
    status = request.args.get("status", "")
    if status in advances.STATUS_LABELS:
        stmt = stmt.where(Advance.status == status)
    if request.args.get("format") == "xlsx":
        rows = [(a.id, a.requester.name, a.purpose, a.amount, a.trip_start, a.trip_end,
                 str(advances.STATUS_LABELS[a.status]), a.offset_total, a.returned_total, a.outstanding)
                for a in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("借款", ["单号", "借款人", "用途", "金额", "出差开始", "出差结束", "状态", "已冲销",
                                             "已归还", "未结清"], rows), "advances.xlsx")
    return render("expenses/advances.html", "list", page=paginate(stmt), status_filter=status,
                  status_labels=advances.STATUS_LABELS,
                  show_outstanding=current_user.role in advances.OUTSTANDING_READERS)


@bp.get("/advances/outstanding")
@role_required(*advances.OUTSTANDING_READERS)
def advances_outstanding():
    rows = advances.outstanding_by_person()
    if request.args.get("format") == "xlsx":
        return send_workbook(workbook("未结清借款", ["借款人", "笔数", "借款金额", "未结清", "最早付款"], [
            (r["user"].name, r["count"], r["amount"], r["outstanding"], r["oldest"]) for r in rows]),
            "advances-outstanding.xlsx")
    return render("expenses/advances_outstanding.html", rows=rows)


@bp.route("/advances/new", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def advance_new():
    return _advance_edit(None)


@bp.route("/advances/<int:advance_id>/edit", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def advance_edit(advance_id):
    advance = advances.get_or_404(current_user, advance_id)
    if not advances.can_edit(current_user, advance):
        abort(403)
    return _advance_edit(advance)


def _advance_edit(advance):
    form = AdvanceForm(obj=advance) if request.method == "GET" else AdvanceForm()
    if form.validate_on_submit():
        try:
            advance = advances.save(current_user, advance, amount=form.amount.amount, purpose=form.purpose.data,
                                    trip_start=form.trip_start.data, trip_end=form.trip_end.data)
            if request.form.get("action") == "submit":
                advances.submit(current_user, advance)
        except DomainError as exc:
            db.session.rollback()
            field_error(form, exc)
            advance = db.session.get(Advance, advance.id) if advance is not None and advance.id else None
        else:
            commit()
            flash(_l("借款申请已提交审批") if request.form.get("action") == "submit" else _l("已保存"), "success")
            return redirect(url_for("expenses.advance_detail", advance_id=advance.id), 303)
    return render("expenses/advance_form.html", "form", form=form, advance=advance)


def _advance_page(advance, status=200, return_form=None):
    from ..services.expenses import outstanding_total

    return render("expenses/advance_detail.html", "detail", status=status, advance=advance,
                  req=approvals.request_for("advance", advance.id), status_labels=advances.STATUS_LABELS,
                  can_edit=advances.can_edit(current_user, advance), return_form=return_form or AdvanceReturnForm(),
                  is_payer=current_user.role in advances.PAYERS and advance.requester_id != current_user.id,
                  other_outstanding=outstanding_total(advance.requester_id) - advance.outstanding,
                  decision_next=url_for("expenses.advance_detail", advance_id=advance.id))


@bp.get("/advances/<int:advance_id>")
@role_required(*ALL_ROLES)
def advance_detail(advance_id):
    return _advance_page(advances.get_or_404(current_user, advance_id))


@bp.post("/advances/<int:advance_id>/submit")
@role_required(*ALL_ROLES)
def advance_submit(advance_id):
    advance = advances.get_or_404(current_user, advance_id)
    try:
        advances.submit(current_user, advance)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        commit()
        flash(_l("借款申请已提交审批"), "success")
    return redirect(url_for("expenses.advance_detail", advance_id=advance_id), 303)


@bp.post("/advances/<int:advance_id>/pay")
@role_required(*advances.PAYERS)
def advance_pay(advance_id):
    advance = advances.get_or_404(current_user, advance_id)
    try:
        advances.pay_out(current_user, advance)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        commit()
        flash(_l("已登记付款"), "success")
    return redirect(url_for("expenses.advance_detail", advance_id=advance_id), 303)


@bp.post("/advances/<int:advance_id>/return")
@role_required(*advances.PAYERS)
def advance_return(advance_id):
    advance = advances.get_or_404(current_user, advance_id)
    form = AdvanceReturnForm()
    if form.validate_on_submit():
        try:
            advances.record_return(current_user, advance, form.amount.amount)
        except DomainError as exc:
            db.session.rollback()
            field_error(form, exc)
        else:
            commit()
            flash(_l("已登记还款"), "success")
            return redirect(url_for("expenses.advance_detail", advance_id=advance_id), 303)
    return _advance_page(db.session.get(Advance, advance_id), return_form=form)
