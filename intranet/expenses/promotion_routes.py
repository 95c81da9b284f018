"""Thin views over services.promotions: application with budget lines, write-off (核销) with receipts."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from ..models import Promotion
from ..services import approvals, promotions, receipts
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.guards import ALL_ROLES, role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import PromotionForm, ReceiptForm, WriteoffForm
from .routes import field_error, uploads


def _lines(form) -> list[dict] | None:
    lines, ok = [], True
    for entry in form.lines:
        row = entry.form
        if row.is_blank():
            continue
        if not (row.item.data or "").strip():
            row.item.errors = [*row.item.errors, _l("请填写项目")]
        if row.amount.amount is None and not row.amount.errors:
            row.amount.errors = [*row.amount.errors, _l("请填写金额")]
        if row.item.errors or row.amount.errors or row.description.errors:
            ok = False
            continue
        lines.append({"item": row.item.data, "amount": row.amount.amount, "description": row.description.data})
    return lines if ok else None


def _line_data(lines) -> list[dict]:
    return [{"item": ln.item, "amount": f"{ln.amount:.2f}", "description": ln.description} for ln in lines]


def _labels() -> dict:
    return {"status_labels": promotions.STATUS_LABELS, "writeoff_labels": promotions.WRITEOFF_LABELS}


@bp.get("/promotions", endpoint="promotions")
@role_required(*ALL_ROLES)
def promotions_list():
    stmt = promotions.visible(current_user)
    if request.args.get("format") == "xlsx":
        rows = [(p.id, p.owner.name, p.activity, p.location, p.starts_on, p.ends_on,
                 str(promotions.STATUS_LABELS[p.status]), p.budget_total,
                 str(promotions.WRITEOFF_LABELS.get(p.writeoff_status, "")), p.actual_total, p.gap)
                for p in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("促销活动", ["单号", "申请人", "活动", "地点", "开始", "结束", "状态", "预算", "核销",
                                               "实际", "差额"], rows), "promotions.xlsx")
    return render("expenses/promotions.html", "list", page=paginate(stmt), **_labels())


@bp.route("/promotions/new", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def promotion_new():
    return _promotion_edit(None)


@bp.route("/promotions/<int:promotion_id>/edit", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def promotion_edit(promotion_id):
    promotion = promotions.get_or_404(current_user, promotion_id)
    if not promotions.can_edit(current_user, promotion):
        abort(403)
    return _promotion_edit(promotion)


def _promotion_edit(promotion):
    if request.method == "GET" and promotion is not None:
        form = PromotionForm(data={"activity": promotion.activity, "location": promotion.location,
                                   "starts_on": promotion.starts_on, "ends_on": promotion.ends_on, "plan": promotion.plan,
                                   "lines": _line_data(promotion.lines_of(promotions.BUDGET))})
    else:
        form = PromotionForm()
    line_errors: dict = {}
    if request.method == "POST" and "add_line" in request.form:
        form.lines.append_entry()
    elif form.validate_on_submit():
        lines = _lines(form)
        if lines is not None:
            try:
                promotion = promotions.save(current_user, promotion, activity=form.activity.data,
                                            location=form.location.data, starts_on=form.starts_on.data,
                                            ends_on=form.ends_on.data, plan=form.plan.data, lines=lines)
                if request.form.get("action") == "submit":
                    promotions.submit(current_user, promotion)
            except DomainError as exc:
                db.session.rollback()
                field_error(form, exc, line_errors)
                promotion = db.session.get(Promotion, promotion.id) if promotion is not None and promotion.id else None
            else:
                commit()
                flash(_l("已提交审批") if request.form.get("action") == "submit" else _l("已保存"), "success")
                return redirect(url_for("expenses.promotion_detail", promotion_id=promotion.id), 303)
    elif request.method == "POST":
        _lines(form)
    return render("expenses/promotion_form.html", "form", form=form, promotion=promotion, line_errors=line_errors)


def _promotion_page(promotion, status=200, receipt_form=None):
    url = url_for("expenses.promotion_detail", promotion_id=promotion.id)
    return render("expenses/promotion_detail.html", "detail", status=status, promotion=promotion,
                  req=approvals.request_for("promotion", promotion.id),
                  writeoff_req=approvals.request_for("promotion_writeoff", promotion.id),
                  files=receipts.for_doc("promotion", promotion.id), receipt_form=receipt_form or ReceiptForm(),
                  can_edit=promotions.can_edit(current_user, promotion),
                  can_write_off=promotions.can_write_off(current_user, promotion),
                  decision_next=url, **_labels())


@bp.get("/promotions/<int:promotion_id>")
@role_required(*ALL_ROLES)
def promotion_detail(promotion_id):
    return _promotion_page(promotions.get_or_404(current_user, promotion_id))


@bp.post("/promotions/<int:promotion_id>/submit")
@role_required(*ALL_ROLES)
def promotion_submit(promotion_id):
    promotion = promotions.get_or_404(current_user, promotion_id)
    try:
        if request.form.get("what") == "writeoff":
            promotions.submit_writeoff(current_user, promotion)
        else:
            promotions.submit(current_user, promotion)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        commit()
        flash(_l("已提交审批"), "success")
    return redirect(url_for("expenses.promotion_detail", promotion_id=promotion_id), 303)


@bp.route("/promotions/<int:promotion_id>/writeoff", methods=["GET", "POST"])
@role_required(*ALL_ROLES)
def promotion_writeoff(promotion_id):
    promotion = promotions.get_or_404(current_user, promotion_id)
    if not promotions.can_write_off(current_user, promotion):
        abort(403)
    if request.method == "GET":
        actual = promotion.lines_of(promotions.ACTUAL) or promotion.lines_of(promotions.BUDGET)
        form = WriteoffForm(data={"lines": _line_data(actual), "note": promotion.writeoff_note})
    else:
        form = WriteoffForm()
    line_errors: dict = {}
    if request.method == "POST" and "add_line" in request.form:
        form.lines.append_entry()
    elif form.validate_on_submit():
        lines = _lines(form)
        if lines is not None:
            try:
                files = uploads(form.receipts)
                promotions.save_writeoff(current_user, promotion, lines=lines, note=form.note.data)
                for filename, data in files:
                    promotions.attach_receipt(current_user, promotion, filename, data)
                if request.form.get("action") == "submit":
                    promotions.submit_writeoff(current_user, promotion)
            except DomainError as exc:
                db.session.rollback()
                field_error(form, exc, line_errors)
                promotion = db.session.get(Promotion, promotion_id)
            else:
                commit()
                flash(_l("核销已提交审批") if request.form.get("action") == "submit" else _l("已保存"), "success")
                return redirect(url_for("expenses.promotion_detail", promotion_id=promotion_id), 303)
    elif request.method == "POST":
        _lines(form)
    return render("expenses/writeoff_form.html", "form", form=form, promotion=promotion, line_errors=line_errors,
                  files=receipts.for_doc("promotion", promotion.id))


@bp.post("/promotions/<int:promotion_id>/receipts")
@role_required(*ALL_ROLES)
def promotion_receipts(promotion_id):
    promotion = promotions.get_or_404(current_user, promotion_id)
    if promotion.owner_id != current_user.id:
        abort(403)
    form = ReceiptForm()
    try:
        files = uploads(form.receipts) if form.validate_on_submit() else []
        if not files:
            raise DomainError(_l("请选择要上传的票据"), field="receipts")
        for filename, data in files:
            promotions.attach_receipt(current_user, promotion, filename, data)
    except DomainError as exc:
        db.session.rollback()
        form.receipts.errors = [exc.message]
        return _promotion_page(db.session.get(Promotion, promotion_id), receipt_form=form)
    commit()
    flash(_l("已上传 %(n)d 张票据", n=len(files)), "success")
    return redirect(url_for("expenses.promotion_detail", promotion_id=promotion_id), 303)
