"""Thin views: load the return within the user's scope (404), check the role (403), parse the form,
one service call, commit once, render the page or its fragment (HTMX) or redirect 303."""

import re
from io import BytesIO

from flask import abort, flash, make_response, redirect, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import StringField

from ..clock import today_local
from ..extensions import db, htmx
from ..models import Product
from ..models.returns import REASONS, STATUSES, ReturnLine, ReturnRequest
from ..services import returns as svc
from ..services.errors import DomainError, Forbidden
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import RETURN_ROLES, bp
from .forms import ComplaintForm, LineForm, NotifyForm, ReceiveForm, RefundForm, ReturnForm, ShipForm

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
ROW_FIELD = re.compile(r"^lines-(\d+)-")
NEW_ROWS = 3


@bp.context_processor
def _labels():
    return {"svc": svc}


def _doc(return_id: int) -> ReturnRequest:
    return svc.get_visible_or_404(current_user, return_id)


def _done(url: str, message):
    """Success: a flash, then the page reloads (HX-Redirect for HTMX, 303 otherwise)."""
    flash(message, "success")
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def _detail_url(doc: ReturnRequest) -> str:
    return url_for("returns.detail", return_id=doc.id)


def _products():
    return db.session.scalars(select(Product).order_by(Product.active.desc(), Product.code)).all()


# ---- list -----------------------------------------------------------------------------

def _filters() -> dict:
    args = request.args
    rep = args.get("rep", type=int)
    return {"status": args.get("status") if args.get("status") in STATUSES else "",
            "reason": args.get("reason") if args.get("reason") in REASONS else "",
            "month": args.get("month", "") if MONTH.match(args.get("month", "")) else "",
            "rep": rep or "", "q": args.get("q", "").strip()[:60]}


def _filtered(stmt, f: dict):
    if f["status"]:
        stmt = stmt.where(ReturnRequest.status == f["status"])
    if f["reason"]:
        stmt = stmt.where(ReturnRequest.reason == f["reason"])
    if f["month"]:
        stmt = stmt.where(ReturnRequest.month == f["month"])
    if f["rep"]:
        stmt = stmt.where(ReturnRequest.rep_id == f["rep"])
    if f["q"]:
        stmt = stmt.where(ReturnRequest.customer_name.contains(f["q"]) | ReturnRequest.number.contains(f["q"])
                          | ReturnRequest.order_ref.contains(f["q"]))
    return stmt


@bp.get("/")
@role_required(*RETURN_ROLES)
def index():
    f = _filters()
    stmt = (_filtered(svc.visible_query(current_user), f).options(selectinload(ReturnRequest.rep))
            .order_by(ReturnRequest.id.desc()))
    if request.args.get("format") == "xlsx":
        return _export(stmt)
    return render("returns/list.html", "list", page=paginate(stmt), f=f, reps=svc.rep_choices(current_user),
                  can_create=current_user.role in svc.CREATORS)


def _export(stmt):
    docs = db.session.scalars(stmt.options(selectinload(ReturnRequest.lines).selectinload(ReturnLine.product))
                              .limit(50000)).all()
    rows = [(d.number, d.month, d.customer_name, d.order_ref, d.rep.name, str(svc.REASON_LABELS[d.reason]),
             str(svc.NOT_IN_PRINCIPLE) if d.flagged else "", d.justification, d.cost_split,
             ";".join(f"{ln.product.code}×{ln.quantity}" for ln in d.lines), d.total_amount,
             str(svc.STATUS_LABELS[d.status]), d.submitted_at, d.signed_at, d.received_on,
             d.refund_amount, d.refund_reference, d.closed_at) for d in docs]
    headers = ["单号", "月份", "客户", "原订单/发货单", "业务员", "退货原因", "标记", "特殊理由", "费用分担", "产品",
               "退货金额", "状态", "提交时间", "签批时间", "入库日期", "退款/冲账金额", "凭证号", "结案时间"]
    return send_workbook(workbook("退货申请", headers, rows), "returns.xlsx")


# ---- the request form -------------------------------------------------------------------

def _line_inputs(form: ReturnForm):
    items = []
    for i, entry in enumerate(form.lines):
        parsed = getattr(entry.form, "parsed", None)
        if parsed is not None:
            parsed.row = i
            items.append(parsed)
    return items


def _form_errors(form: ReturnForm) -> dict:
    errors = {f.name: f.errors[0] for f in form if f.name != "lines" and f.errors}
    errors.update(form.line_errors())
    return errors


def _edit_form(form: ReturnForm, doc: ReturnRequest | None):
    form.set_product_choices(_products())
    if request.method == "POST" and request.form.get("op") == "add_line":
        # Without JavaScript "增加一行" posts the form: one more row, nothing saved.
        form.lines.append_entry()
        form.set_product_choices(_products())
        return render("returns/form.html", "form", form=form, doc=doc, customers=_customers(doc))
    if request.method == "POST":
        valid = form.validate_on_submit()
        lines = _line_inputs(form)
        try:
            svc.check_input(form.fields_dict(), lines, {} if valid else _form_errors(form))
            if doc is None:
                doc = svc.create(current_user, form.fields_dict(), lines)
            else:
                svc.update(current_user, doc, form.fields_dict(), lines)
        except svc.InputErrors as exc:
            db.session.rollback()
            form.apply_errors(exc.errors)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            commit()
            return _done(_detail_url(doc), _l("退货申请 %(number)s 已保存", number=doc.number))
    return render("returns/form.html", "form", form=form, doc=doc, customers=_customers(doc))


def _customers(doc: ReturnRequest | None) -> list[str]:
    return svc.own_customers(doc.rep if doc else current_user)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*svc.CREATORS)
def new():
    form = ReturnForm()
    if request.method == "GET":
        while len(form.lines) < NEW_ROWS:
            form.lines.append_entry()
    return _edit_form(form, None)


@bp.route("/<int:return_id>/edit", methods=["GET", "POST"])
@role_required(*svc.CREATORS)
def edit(return_id):
    doc = _doc(return_id)
    if doc.rep_id != current_user.id:
        abort(403)
    if not svc.can_edit(current_user, doc):
        raise DomainError(_l("该退货申请当前状态为“%(status)s”，不能修改", status=svc.STATUS_LABELS[doc.status]))
    if request.method == "GET":
        form = ReturnForm(formdata=None, data={
            **{k: getattr(doc, k) for k in ("customer_name", "order_ref", "reason", "reason_detail", "justification",
                                            "cost_split")},
            "lines": [{"product_id": ln.product_id, "quantity": str(ln.quantity), "unit_price": f"{ln.unit_price:.2f}"}
                      for ln in doc.lines]})
        form.lines.append_entry()
    else:
        form = ReturnForm()
    return _edit_form(form, doc)


@bp.get("/line-row")
@role_required(*svc.CREATORS)
def line_row():
    """One empty product row for the HTMX row editor; the rows on the page come along (hx-include),
    so the new row takes the next free index."""
    if request.args.get("remove"):
        return ""
    taken = [int(m.group(1)) for key in request.args if (m := ROW_FIELD.match(key))]
    row = LineForm(prefix=f"lines-{min(max(taken, default=-1) + 1, 500)}")
    row.product_id.choices = [("", "—")] + [(p.id, f"{p.code} {p.name} {p.spec}") for p in _products()]
    return render_block("returns/form.html", "line_row", row=row)  # a fragment, asked for by HTMX only


# ---- detail ---------------------------------------------------------------------------------

def _receive_form(doc: ReturnRequest, **kwargs) -> ReceiveForm:
    class Counted(ReceiveForm):
        pass

    for ln in doc.lines:
        setattr(Counted, f"line_{ln.id}", StringField(str(_l("实收数量")), default=str(ln.quantity)))
    form = Counted(**kwargs)
    if request.method == "GET" and form.received_on.data is None:
        form.received_on.data = today_local()
    return form


def _track_form(step: str | None, doc: ReturnRequest):
    if step == "notify":
        return NotifyForm()
    if step == "ship":
        form = ShipForm()
        if form.shipped_on.data is None:
            form.shipped_on.data = today_local()
        return form
    if step == "receive":
        return _receive_form(doc)
    if step == "refund":
        form = RefundForm()
        if request.method == "GET":
            form.amount.data = f"{svc.received_value(doc):.2f}"
            form.on.data = today_local()
        return form
    return None


def _detail_context(doc: ReturnRequest, **extra) -> dict:
    step = svc.next_tracking_step(current_user, doc)
    ctx = {"doc": doc, "req": svc.approval_request(doc), "svc": svc, "step": step,
           "track_form": _track_form(step, doc) if step else None, "upload_errors": []}
    ctx.update(extra)
    return ctx


@bp.get("/<int:return_id>")
@role_required(*RETURN_ROLES)
def detail(return_id):
    doc = _doc(return_id)
    return render("returns/detail.html", **_detail_context(doc))


@bp.post("/<int:return_id>/submit")
@role_required(*svc.CREATORS)
def submit(return_id):
    doc = _doc(return_id)
    if doc.rep_id != current_user.id:
        abort(403)
    svc.submit(current_user, doc)
    commit()
    # Awaiting the complaint form, the page itself says what happens next: the flash does not repeat it.
    message = _l("退货申请已提交") if doc.status == "awaiting_complaint" else _l("已提交审批")
    return _done(_detail_url(doc), message)


@bp.post("/<int:return_id>/withdraw")
@role_required(*svc.CREATORS)
def withdraw(return_id):
    doc = _doc(return_id)
    if doc.rep_id != current_user.id:
        abort(403)
    svc.withdraw(current_user, doc)
    commit()
    return _done(_detail_url(doc), _l("已撤回，可以修改后重新提交"))


# ---- complaint form -----------------------------------------------------------------------

def _uploads(field: str = "files"):
    limit = 1 + int(request.max_content_length or 0)
    return [(f.filename, f.read(limit)) for f in request.files.getlist(field) if f and f.filename]


@bp.route("/<int:return_id>/complaint", methods=["GET", "POST"])
@role_required("assistant")
def complaint(return_id):
    doc = _doc(return_id)
    if not svc.can_fill_complaint(current_user, doc):
        raise DomainError(_l("退货申请已进入审批或已结束，品质投诉单不能再修改"))
    form = ComplaintForm(obj=doc.complaint) if request.method == "GET" else ComplaintForm()
    form.product_id.choices = [("", "—")] + [(ln.product_id, f"{ln.product.code} {ln.product.name}")
                                             for ln in doc.lines]
    if request.method == "GET" and doc.complaint is None and len(doc.lines) == 1:
        form.product_id.data = doc.lines[0].product_id
    file_errors = []
    if form.validate_on_submit():
        try:
            uploads = svc.prepare_uploads(_uploads())
            svc.save_complaint(current_user, doc, {k: form[k].data for k in (
                "product_id", "batch", "defect", "customer_demand", "proposed_handling")})
            if uploads:
                svc.add_attachments(current_user, doc, uploads, kind="complaint")
        except svc.InputErrors as exc:
            db.session.rollback()
            for name, message in exc.errors.items():
                form[name].errors = [*form[name].errors, message]
        except DomainError as exc:
            db.session.rollback()
            if exc.field == "files":
                file_errors.append(exc.message)
            else:
                form.form_errors.append(exc.message)
        else:
            commit()
            message = (_l("品质投诉单已保存，退货申请已进入审批") if doc.status == "pending"
                       else _l("品质投诉单已保存"))
            return _done(_detail_url(doc), message)
    return render("returns/complaint.html", "form", form=form, doc=doc, file_errors=file_errors)


# ---- attachments -----------------------------------------------------------------------------

@bp.post("/<int:return_id>/attachments")
@role_required(*RETURN_ROLES)
def upload(return_id):
    doc = _doc(return_id)
    if not svc.can_upload(current_user, doc):
        abort(403)
    errors = []
    try:
        svc.add_attachments(current_user, doc, svc.prepare_uploads(_uploads()),
                            kind="complaint" if current_user.role == "assistant" else "photo")
    except DomainError as exc:
        db.session.rollback()
        errors.append(exc.message)
        doc = _doc(return_id)
    else:
        commit()
        if not htmx:
            flash(_l("附件已上传"), "success")
    if htmx:
        return render("returns/detail.html", "attachments", **_detail_context(doc, upload_errors=errors))
    for message in errors:
        flash(message, "error")
    return redirect(_detail_url(doc) + "#attachments", 303)


@bp.get("/<int:return_id>/attachments/<int:attachment_id>")
@role_required(*RETURN_ROLES)
def attachment(return_id, attachment_id):
    doc = _doc(return_id)
    att = svc.get_attachment_or_404(current_user, doc, attachment_id)
    path = svc.attachment_path(att)
    if not path.is_file():
        abort(404)
    # Read whole (≤ UPLOAD_MAX_BYTES): no file handle is left open if the client goes away.
    response = send_file(BytesIO(path.read_bytes()), mimetype=att.content_type, as_attachment=not att.is_image,
                         download_name=att.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:return_id>/attachments/<int:attachment_id>/delete")
@role_required(*RETURN_ROLES)
def attachment_delete(return_id, attachment_id):
    doc = _doc(return_id)
    att = svc.get_attachment_or_404(current_user, doc, attachment_id)
    if not svc.can_delete_attachment(current_user, att):
        abort(403)
    svc.remove_attachment(current_user, att)
    commit()
    if htmx:
        return render("returns/detail.html", "attachments", **_detail_context(doc))
    flash(_l("附件已删除"), "success")
    return redirect(_detail_url(doc) + "#attachments", 303)


# ---- tracking after sign-off ----------------------------------------------------------------------

def _tracking_page(doc, step, form, status=200):
    return render("returns/track.html", "track", status=status, doc=doc, step=step, track_form=form, svc=svc)


def _track(return_id: int, step: str, roles: tuple, action):
    """GET shows the step's form; POST runs `action(doc, form)` — errors next to the fields."""
    doc = _doc(return_id)
    if current_user.role not in roles:
        abort(403)
    if svc.next_tracking_step(current_user, doc) != step:
        raise DomainError(_l("该退货当前状态为“%(status)s”，不在这一步", status=svc.STATUS_LABELS[doc.status]))
    form = _track_form(step, doc)
    if form.validate_on_submit():
        try:
            action(doc, form)
        except svc.InputErrors as exc:
            db.session.rollback()
            doc = _doc(return_id)
            for name, message in exc.errors.items():
                field = form._fields.get(name)
                if field is not None:
                    field.errors = [*field.errors, message]
                else:
                    form.form_errors.append(message)
        except Forbidden:
            raise
        except DomainError as exc:
            db.session.rollback()
            doc = _doc(return_id)
            field = form._fields.get(exc.field or "")
            if field is not None:
                field.errors = [*field.errors, exc.message]
            else:
                form.form_errors.append(exc.message)
        else:
            commit()
            return _done(_detail_url(doc), svc.EVENT_LABELS[{"notify": "notified", "ship": "shipped",
                                                              "receive": "received", "refund": "refunded"}[step]])
    return _tracking_page(doc, step, form)


@bp.route("/<int:return_id>/notify", methods=["GET", "POST"])
@role_required(*svc.TRACKERS)
def notify(return_id):
    return _track(return_id, "notify", svc.TRACKERS,
                  lambda doc, form: svc.notify_customer(current_user, doc, form.note.data or ""))


@bp.route("/<int:return_id>/ship", methods=["GET", "POST"])
@role_required(*svc.TRACKERS)
def ship(return_id):
    return _track(return_id, "ship", svc.TRACKERS, lambda doc, form: svc.record_shipment(
        current_user, doc, form.carrier.data or "", form.tracking_no.data or "", form.shipped_on.data))


@bp.route("/<int:return_id>/receive", methods=["GET", "POST"])
@role_required(*svc.TRACKERS)
def receive(return_id):
    return _track(return_id, "receive", svc.TRACKERS, lambda doc, form: svc.record_receipt(
        current_user, doc, {ln.id: form[f"line_{ln.id}"].data for ln in doc.lines}, form.received_on.data,
        form.note.data or ""))


@bp.route("/<int:return_id>/refund", methods=["GET", "POST"])
@role_required(*svc.FINANCE)
def refund(return_id):
    return _track(return_id, "refund", svc.FINANCE, lambda doc, form: svc.record_refund(
        current_user, doc, form.kind.data, form.amount.amount, form.on.data, form.reference.data or ""))


@bp.post("/<int:return_id>/close")
@role_required(*svc.TRACKERS)
def close(return_id):
    doc = _doc(return_id)
    svc.close(current_user, doc)
    commit()
    return _done(_detail_url(doc), _l("退货 %(number)s 已结案", number=doc.number))


# ---- print ------------------------------------------------------------------------------------------

@bp.get("/<int:return_id>/print")
@role_required(*RETURN_ROLES)
def print_form(return_id):
    doc = _doc(return_id)
    req = svc.approval_request(doc)
    return render("returns/print.html", doc=doc, req=req, decisions=req.decisions if req else [], svc=svc,
                  printed_on=today_local())


# ---- register -----------------------------------------------------------------------------------------

REGISTER_TOP = 15  # customers and reps named in the register page's summary tables


@bp.get("/register")
@role_required(*RETURN_ROLES)
def register():
    start = request.args.get("from", "")
    end = request.args.get("to", "")
    start = start if MONTH.match(start) else f"{today_local().year}-01"
    end = end if MONTH.match(end) else today_local().strftime("%Y-%m")
    if request.args.get("format") == "xlsx":
        docs = svc.register_rows(current_user, start, end)
        return _register_workbook(docs, svc.register_summary(docs), start, end)
    # The page: the summary grouped in the database (the largest customers and reps, the rest summed),
    # one page of the rows; the export has every group.
    summary = svc.register_totals(current_user, start, end, top=REGISTER_TOP)
    docs = paginate(svc.register_query(current_user, start, end))
    chart = svc.chart_data(summary)
    return render("returns/register.html", "register", docs=docs, summary=summary, start=start, end=end,
                  chart=chart, svc=svc)


def _register_workbook(docs, summary, start, end):
    wb = workbook("退货台帐", ["单号", "签批月份", "客户", "业务员", "退货原因", "产品", "数量", "单价", "金额", "实收数量",
                           "状态", "退款/冲账金额"],
                  [(d.number, svc.signed_month(d), d.customer_name, d.rep.name, str(svc.REASON_LABELS[d.reason]),
                    f"{ln.product.code} {ln.product.name}", ln.quantity, ln.unit_price, ln.amount, ln.received_qty,
                    str(svc.STATUS_LABELS[d.status]), d.refund_amount if i == 0 else None)
                   for d in docs for i, ln in enumerate(d.lines)])
    labels = {"month": "按月", "reason": "按原因", "customer": "按客户", "rep": "按业务员"}
    for key, title in labels.items():
        ws = wb.create_sheet(title)
        ws.append([title[1:], "笔数", "退货金额", "退款/冲账金额"])
        for g in summary[key]:
            name = str(svc.REASON_LABELS[g["key"]]) if key == "reason" else g["key"]
            ws.append([name, g["count"], g["amount"], g["refunded"]])
            for cell in ws[ws.max_row][2:]:
                cell.number_format = "#,##0.00"
    ws = wb.create_sheet("按产品")
    ws.append(["编码", "名称", "型号", "退货数量", "实收数量", "退货金额"])
    for g in summary["product"]:
        ws.append([*g["key"], g["quantity"], g["received"], g["amount"]])
        ws.cell(ws.max_row, 6).number_format = "#,##0.00"
    return send_workbook(wb, f"returns-register-{start}-{end}.xlsx")
