"""Thin views: expense claims, receipts, payment. Advances, promotions and reports are in their own modules."""

from io import BytesIO

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import or_
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..models import ExpenseClaim, Receipt, User
from ..services import approvals, expenses, ledger, promotions, receipts
from ..services.errors import DomainError
from ..services.text_rules import whole_number
from ..web.excel import send_workbook, workbook
from ..web.form_errors import attach_error
from ..web.formatting import money
from ..web.guards import ALL_ROLES, role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import ClaimForm, PayForm, ReceiptForm

CLAIMANTS = ALL_ROLES  # everyone may claim their own expenses


def field_error(form, exc: DomainError, fallback: dict | None = None) -> None:
    """Put a service error next to its field; errors about lines go above the lines table."""
    if exc.field == "lines" and fallback is not None:
        fallback["lines"] = exc.message
    else:
        attach_error(form, exc)


def uploads(field) -> list[tuple[str, bytes]]:
    """(filename, bytes) of the files chosen in a MultipleFileField, each checked (size, magic bytes)."""
    files = []
    for storage in field.data or []:
        if not getattr(storage, "filename", ""):
            continue
        data = receipts.read_upload(storage)
        receipts.check(data, field=field.name)
        files.append((storage.filename, data))
    return files


def parse_claim_lines(form: ClaimForm) -> list[dict] | None:
    """The non-blank rows as dicts, or None when a row has errors (shown next to its fields)."""
    lines, ok = [], True
    for entry in form.lines:
        row = entry.form
        if row.is_blank():
            continue
        if not row.category.data:
            row.category.errors = [*row.category.errors, _l("请选择类别")]
        if not row.spent_on.data and not row.spent_on.errors:
            row.spent_on.errors = [*row.spent_on.errors, _l("请填写日期")]
        if row.amount.amount is None and not row.amount.errors:
            row.amount.errors = [*row.amount.errors, _l("请填写金额")]
        if row.category.errors or row.spent_on.errors or row.amount.errors or row.description.errors:
            ok = False
            continue
        lines.append({"category": row.category.data, "spent_on": row.spent_on.data, "amount": row.amount.amount,
                      "description": row.description.data or "", **_outing(row.outing.data)})
    return lines if ok else None


def _outing(value: str | None) -> dict:
    """"v12" → the visit report 12, "t3" → the trip 3; anything else links nothing."""
    value = (value or "").strip()
    number = whole_number(value[1:]) if value[:1] in ("v", "t") else None
    if not number or number < 1:
        return {}
    return {"visit_report_id": number} if value[0] == "v" else {"trip_id": number}


def _outing_choices(form: ClaimForm) -> None:
    reports, trips = expenses.outings_for(current_user)
    choices = [SelectChoice("", "—")]
    choices += [SelectChoice(f"v{r.id}", f"{r.visit_date:%Y-%m-%d} {r.customer.name}") for r in reports]
    choices += [SelectChoice(f"t{t.id}", f"{t.start_day:%Y-%m-%d} {t.destination}") for t in trips]
    for entry in form.lines:
        entry.form.outing.choices = choices


def _promotion_choices(form: ClaimForm) -> None:
    form.promotion_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(p.id, f"#{p.id} {p.activity}") for p in promotions.approved_for(current_user)]


def _labels() -> dict:
    return {"category_labels": expenses.CATEGORY_LABELS, "status_labels": expenses.STATUS_LABELS,
            "payment_labels": expenses.PAYMENT_LABELS}


# ---- list -----------------------------------------------------------------------------------

def _claims_stmt():
    stmt = expenses.visible_claims(current_user)
    status, q, who = request.args.get("status", ""), request.args.get("q", "").strip(), request.args.get("who", "")
    if status in expenses.STATUS_LABELS:
        stmt = stmt.where(ExpenseClaim.status == status)
    if who == "mine":
        stmt = stmt.where(ExpenseClaim.claimant_id == current_user.id)
    if q:
        stmt = stmt.join(User, ExpenseClaim.claimant_id == User.id).where(
            or_(ExpenseClaim.title.contains(q), User.name.contains(q)))
    month = ledger.parse_period(request.args.get("month")) if request.args.get("month") else ""
    if month:
        first, last = ledger.period_bounds(month)
        from datetime import datetime, time

        from ..clock import SHANGHAI

        stmt = stmt.where(ExpenseClaim.created_at >= datetime.combine(first, time(0), SHANGHAI),
                          ExpenseClaim.created_at < datetime.combine(last, time.max, SHANGHAI))
    return stmt, {"status": status, "q": q, "who": who, "month": month}


@bp.get("/")
@role_required(*CLAIMANTS)
def claims():
    stmt, filters = _claims_stmt()
    if request.args.get("format") == "xlsx":
        rows = [(c.id, c.claimant.name, c.title, c.total, str(expenses.STATUS_LABELS.get(c.status, c.status)),
                 c.created_at, c.submitted_at, c.paid_at, str(expenses.PAYMENT_LABELS.get(c.payment_method, "")),
                 c.offset_amount, c.cash_amount) for c in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("报销单", ["单号", "报销人", "事由", "金额", "状态", "创建时间", "提交时间", "支付时间",
                                              "支付方式", "冲销借款", "现金支付"], rows), "expense-claims.xlsx")
    return render("expenses/claims.html", "list", page=paginate(stmt), filters=filters,
                  receipt_counts=None, **_labels())


# ---- create / edit ----------------------------------------------------------------------------

def _claim_form_page(form, claim, line_errors, status=200):
    return render("expenses/claim_form.html", "form", status=status, form=form, claim=claim,
                  line_errors=line_errors, files=receipts.for_doc("expense", claim.id) if claim else [], **_labels())


@bp.route("/claims/new", methods=["GET", "POST"])
@role_required(*CLAIMANTS)
def claim_new():
    return _claim_edit(None)


@bp.route("/claims/<int:claim_id>/edit", methods=["GET", "POST"])
@role_required(*CLAIMANTS)
def claim_edit(claim_id):
    claim = expenses.get_claim_or_404(current_user, claim_id)
    if not expenses.can_edit(current_user, claim):
        abort(403)
    return _claim_edit(claim)


def _claim_edit(claim: ExpenseClaim | None):
    if request.method == "GET" and claim is not None:
        form = ClaimForm(data={"title": claim.title, "promotion_id": claim.promotion_id or 0, "lines": [
            {"category": ln.category, "spent_on": ln.spent_on, "amount": f"{ln.amount:.2f}",
             "description": ln.description,
             "outing": f"v{ln.visit_report_id}" if ln.visit_report_id else (f"t{ln.trip_id}" if ln.trip_id else "")}
            for ln in claim.lines]})
    else:
        form = ClaimForm()
    _promotion_choices(form)
    line_errors: dict = {}
    if request.method == "POST" and "add_line" in request.form:
        form.lines.append_entry()
        _outing_choices(form)
        return _claim_form_page(form, claim, line_errors)
    _outing_choices(form)
    if form.validate_on_submit():
        lines = parse_claim_lines(form)
        if lines is not None:
            try:
                claim = _save_claim(form, claim, lines)
            except DomainError as exc:
                db.session.rollback()
                field_error(form, exc, line_errors)
                claim = db.session.get(ExpenseClaim, claim.id) if claim is not None and claim.id else None
            else:
                commit()
                submitted = request.form.get("action") == "submit"
                flash(_l("报销单已提交审批") if submitted else _l("报销单已保存为草稿"), "success")
                return redirect(url_for("expenses.claim_detail", claim_id=claim.id), 303)
    elif request.method == "POST":
        parse_claim_lines(form)  # show the row errors too
    return _claim_form_page(form, claim, line_errors)


def _save_claim(form: ClaimForm, claim, lines) -> ExpenseClaim:
    files = uploads(form.receipts)
    claim = expenses.save_claim(current_user, claim, title=form.title.data, lines=lines,
                                promotion_id=form.promotion_id.data or None)
    for filename, data in files:
        expenses.attach_receipt(current_user, claim, filename, data)
    if request.form.get("action") == "submit":
        expenses.submit_claim(current_user, claim)
    return claim


# ---- detail ----------------------------------------------------------------------------------

def _claim_page(claim, status=200, receipt_form=None, pay_form=None):
    req = approvals.request_for("expense", claim.id)
    return render("expenses/claim_detail.html", "detail", status=status, claim=claim, req=req,
                  files=receipts.for_doc("expense", claim.id), receipt_form=receipt_form or ReceiptForm(),
                  pay_form=pay_form or PayForm(), may_pay=expenses.may_pay(current_user, claim),
                  can_edit=expenses.can_edit(current_user, claim),
                  outstanding=expenses.outstanding_advances(claim.claimant_id),
                  account=ledger.find_account(current_user) if current_user.role == "assistant" else None,
                  can_read_ledger=ledger.can_read(current_user), unbacked=expenses.unbacked_lines(claim),
                  outing_label=expenses.outing_label, unbacked_message=expenses.UNBACKED,
                  budget_rows=expenses.budget_rows(claim),
                  decision_next=url_for("expenses.claim_detail", claim_id=claim.id), **_labels())


@bp.get("/claims/<int:claim_id>")
@role_required(*CLAIMANTS)
def claim_detail(claim_id):
    return _claim_page(expenses.get_claim_or_404(current_user, claim_id))


@bp.post("/claims/<int:claim_id>/submit")
@role_required(*CLAIMANTS)
def claim_submit(claim_id):
    claim = expenses.get_claim_or_404(current_user, claim_id)
    try:
        expenses.submit_claim(current_user, claim)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        commit()
        flash(_l("报销单已提交审批"), "success")
    return redirect(url_for("expenses.claim_detail", claim_id=claim_id), 303)


@bp.post("/claims/<int:claim_id>/receipts")
@role_required(*CLAIMANTS)
def claim_receipts(claim_id):
    claim = expenses.get_claim_or_404(current_user, claim_id)
    form = ReceiptForm()
    if claim.claimant_id != current_user.id:
        abort(403)
    try:
        files = uploads(form.receipts) if form.validate_on_submit() else []
        if not files:
            raise DomainError(_l("请选择要上传的票据"), field="receipts")
        for filename, data in files:
            expenses.attach_receipt(current_user, claim, filename, data)
    except DomainError as exc:
        db.session.rollback()
        form.receipts.errors = [exc.message]
        return _claim_page(db.session.get(ExpenseClaim, claim_id), receipt_form=form)
    commit()
    flash(_l("已上传 %(n)d 张票据", n=len(files)), "success")
    return redirect(url_for("expenses.claim_detail", claim_id=claim_id), 303)


@bp.post("/claims/<int:claim_id>/pay")
@role_required(*expenses.PAYERS)
def claim_pay(claim_id):
    claim = expenses.get_claim_or_404(current_user, claim_id)
    form = PayForm()
    if form.validate_on_submit():
        try:
            expenses.pay_claim(current_user, claim, form.method.data, on=form.paid_on.data)
        except DomainError as exc:
            db.session.rollback()
            if exc.field == "entry_date":
                exc.field = "paid_on"
            field_error(form, exc)
            return _claim_page(db.session.get(ExpenseClaim, claim_id), pay_form=form,
                               status=409 if exc.field is None else 200)
        commit()
        claim = db.session.get(ExpenseClaim, claim_id)
        flash(_l("已支付：冲销借款 %(offset)s，备用金支付 %(cash)s", offset=money(claim.offset_amount),
                 cash=money(claim.cash_amount)), "success")
        return redirect(url_for("expenses.claim_detail", claim_id=claim_id), 303)
    return _claim_page(claim, pay_form=form)


# ---- receipts -------------------------------------------------------------------------------

@bp.get("/receipts/<int:receipt_id>")
@login_required
def receipt_download(receipt_id):
    receipt = db.session.get(Receipt, receipt_id)
    if receipt is None or not receipts.can_download(current_user, receipt):
        abort(404)
    path = receipts.path_of(receipt)
    if not path.exists():
        abort(404)
    # Read into memory (receipts are small): no file handle outlives the request.
    response = send_file(BytesIO(path.read_bytes()), mimetype=receipt.content_type, download_name=receipt.filename,
                         as_attachment=receipt.content_type == "application/pdf")
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global()
def expense_category_label(code: str):
    return expenses.CATEGORY_LABELS.get(code, code)


from . import advance_routes, budget_routes, promotion_routes, report_routes  # noqa: E402,F401
