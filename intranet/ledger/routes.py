"""Thin views over services.ledger: parse, one service call, commit once, render a page or its fragment."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..clock import today_local
from ..extensions import db, htmx
from ..models import LedgerEntry, PeriodClose
from ..models.ledger import DISBURSEMENT, FLOAT_IN, REVERSAL, SETTLEMENT
from ..services import ledger, receipts
from ..services.errors import DomainError
from ..services.text_rules import whole_number
from ..web.excel import send_workbook
from ..web.form_errors import attach_error as _field_error
from ..web.formatting import money
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .exports import statement_workbook
from .forms import ReceiptForm, RecordForm, ReverseForm, SendBackForm, SettlementForm

RECORDERS = ("assistant",)


def _labels() -> dict:
    return {"kind_labels": ledger.KIND_LABELS, "category_labels": ledger.CATEGORY_LABELS,
            "settlement_labels": ledger.SETTLEMENT_STATUS_LABELS}


@bp.app_template_global()
def ledger_ref_url(entry: LedgerEntry) -> str:
    """The page of the document an entry refers to."""
    if entry.ref_type == "expense" and entry.ref_id:
        return url_for("expenses.claim_detail", claim_id=entry.ref_id)
    if entry.ref_type == "period_close":
        return url_for("ledger.settlements", account=entry.account_id)
    return ""


def _account():
    account_id = request.args.get("account", type=int)
    if account_id:
        return ledger.get_account_or_404(current_user, account_id)
    return ledger.default_account(current_user)


def _files(field) -> list:
    return [f for f in (field.data or []) if getattr(f, "filename", "")]


# ---- statement -----------------------------------------------------------------------

def _statement_page(account, period, status=200, **extra):
    st = ledger.statement_page(account, period) if account else None
    return render("ledger/statement.html", "statement", status=status, st=st, account=account, period=period,
                  periods=ledger.periods(account) if account else [period],
                  accounts=ledger.visible_accounts(current_user),
                  may_record=account is None and current_user.role in RECORDERS or (
                      account is not None and account.custodian_id == current_user.id),
                  reverse_form=ReverseForm(), **_labels(), **extra)


@bp.get("/")
@role_required(*ledger.READERS)
def statement():
    account = _account()
    period = ledger.parse_period(request.args.get("period"))
    if request.args.get("format") == "xlsx":
        if account is None:
            abort(404)
        return send_workbook(statement_workbook(ledger.statement(account, period)),
                             f"petty-cash-{account.id}-{period}.xlsx")
    return _statement_page(account, period)


@bp.get("/print")
@role_required(*ledger.READERS)
def print_statement():
    account = _account()
    if account is None:
        abort(404)
    period = ledger.parse_period(request.args.get("period"))
    return render("ledger/print.html", st=ledger.statement(account, period), **_labels())


@bp.get("/entries/<int:entry_id>")
@role_required(*ledger.READERS)
def entry_detail(entry_id):
    entry = ledger.get_entry_or_404(current_user, entry_id)
    return _entry_page(entry)


def _entry_page(entry, status=200, receipt_form=None, reverse_form=None):
    reversal = db.session.scalar(db.select(LedgerEntry).where(LedgerEntry.reverses_id == entry.id))
    return render("ledger/entry.html", "entry", status=status, entry=entry, reversal=reversal,
                  files=receipts.for_doc("ledger_entry", entry.id),
                  is_custodian=entry.account.custodian_id == current_user.id,
                  may_confirm=ledger.may_confirm(current_user, entry),
                  may_reverse=entry.kind not in (REVERSAL, SETTLEMENT) and reversal is None,
                  receipt_form=receipt_form or ReceiptForm(), reverse_form=reverse_form or ReverseForm(), **_labels())


# ---- recording ------------------------------------------------------------------------

@bp.route("/record", methods=["GET", "POST"])
@role_required(*RECORDERS)
def record():
    form = RecordForm()
    if request.method == "GET":
        form.entry_date.data = today_local()
        if request.args.get("kind") in ledger.MANUAL_KINDS:
            form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        try:
            entry = _record(form)
        except DomainError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            commit()
            flash(_l("已记账：%(kind)s %(amount)s，余额 %(balance)s。等待财务复核。",
                     kind=ledger.KIND_LABELS[entry.kind], amount=money(abs(entry.amount)),
                     balance=money(entry.balance)), "success")
            return redirect(url_for("ledger.statement", period=entry.period), 303)
    account = ledger.find_account(current_user)
    return render("ledger/record.html", "form", form=form, account=account)


def _record(form: RecordForm) -> LedgerEntry:
    account = ledger.account_for(current_user)
    kind, amount, memo, day = form.kind.data, form.amount.amount, form.memo.data or "", form.entry_date.data
    if kind == FLOAT_IN:
        entry = ledger.receive_from_finance(current_user, account, amount, memo, entry_date=day)
    elif kind == DISBURSEMENT:
        entry = ledger.disburse(current_user, account, amount, form.category.data or "", memo, entry_date=day)
    else:
        entry = ledger.return_to_finance(current_user, account, amount, memo, entry_date=day)
    for upload in _files(form.receipts):
        receipts.attach(current_user, "ledger_entry", entry.id, upload.filename, receipts.read_upload(upload))
    return entry


@bp.post("/entries/<int:entry_id>/reverse")
@role_required(*RECORDERS)
def reverse(entry_id):
    entry = ledger.get_entry_or_404(current_user, entry_id)
    form = ReverseForm()
    if form.validate_on_submit():
        try:
            reversal = ledger.reverse(current_user, entry, form.memo.data)
        except DomainError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            commit()
            flash(_l("已冲正第 %(seq)d 笔，余额 %(balance)s", seq=entry.seq, balance=money(reversal.balance)), "success")
            return redirect(url_for("ledger.entry_detail", entry_id=reversal.id), 303)
    entry = db.session.get(LedgerEntry, entry_id)
    return _entry_page(entry, reverse_form=form)


@bp.post("/entries/<int:entry_id>/receipts")
@role_required(*RECORDERS)
def entry_receipts(entry_id):
    entry = ledger.get_entry_or_404(current_user, entry_id)
    form = ReceiptForm()
    files = _files(form.receipts) if form.validate_on_submit() else []
    if entry.account.custodian_id != current_user.id:
        abort(403)
    if not files:
        form.receipts.errors = [_l("请选择要上传的票据")]
        return _entry_page(entry, receipt_form=form)
    try:
        for upload in files:
            receipts.attach(current_user, "ledger_entry", entry.id, upload.filename, receipts.read_upload(upload))
    except DomainError as exc:
        db.session.rollback()
        form.receipts.errors = [exc.message]
        return _entry_page(db.session.get(LedgerEntry, entry_id), receipt_form=form)
    commit()
    flash(_l("已上传 %(n)d 张票据", n=len(files)), "success")
    return redirect(url_for("ledger.entry_detail", entry_id=entry.id), 303)


# ---- two-person check -----------------------------------------------------------------------

def _queue_page(status=200):
    stmt = ledger.unconfirmed(for_user=current_user)
    return render("ledger/confirm.html", "queue", status=status, page=paginate(stmt, per_page=50),
                  settlements=ledger.pending_settlements() if current_user.role == "finance" else [],
                  **_labels())


@bp.get("/confirm")
@role_required(*ledger.CONFIRMERS)
def confirm_queue():
    return _queue_page()


@bp.post("/entries/<int:entry_id>/confirm")
@role_required(*ledger.CONFIRMERS)
def confirm(entry_id):
    entry = ledger.get_entry_or_404(current_user, entry_id)
    try:
        ledger.confirm(current_user, entry)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        status = 409
    else:
        commit()
        flash(_l("已复核第 %(seq)d 笔", seq=entry.seq), "success")
        status = 200
    if request.form.get("next") == "statement":
        if htmx:
            return _statement_page(entry.account, entry.period, status=status)
        return redirect(url_for("ledger.statement", account=entry.account_id, period=entry.period), 303)
    if request.form.get("next") == "entry":
        if htmx:
            return _entry_page(db.session.get(LedgerEntry, entry_id), status=status)
        return redirect(url_for("ledger.entry_detail", entry_id=entry_id), 303)
    if htmx:
        return _queue_page(status)
    return redirect(url_for("ledger.confirm_queue"), 303)


@bp.post("/confirm")
@role_required(*ledger.CONFIRMERS)
def confirm_bulk():
    ids = [n for v in request.form.getlist("ids") if (n := whole_number(v)) is not None and n > 0]
    if not ids:
        flash(_l("请先勾选要复核的记录"), "error")
    else:
        results = ledger.confirm_many(current_user, ids)
        commit()
        ok = sum(1 for r in results.values() if r is None)
        flash(_l("已复核 %(n)d 笔", n=ok), "success")
        for entry_id, reason in results.items():
            if reason:
                flash(f"#{entry_id}:{reason}", "error")
    if htmx:
        return _queue_page()
    return redirect(url_for("ledger.confirm_queue"), 303)


# ---- month-end settlement ---------------------------------------------------------------------

def _settlement_page(account, form=None, status=200):
    rows = ledger.settlements(account) if account else []
    return render("ledger/settlements.html", "settlements", status=status, account=account, rows=rows,
                  accounts=ledger.visible_accounts(current_user),
                  form=form or SettlementForm(period=_last_month()), send_back_form=SendBackForm(),
                  may_prepare=account is not None and account.custodian_id == current_user.id,
                  **_labels())


def _last_month() -> str:
    today = today_local()
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"


@bp.get("/settlements")
@role_required(*ledger.READERS)
def settlements():
    return _settlement_page(_account())


@bp.post("/settlements")
@role_required(*RECORDERS)
def settlement_prepare():
    form = SettlementForm()
    account = ledger.find_account(current_user)
    if account is None:
        abort(404)
    if form.validate_on_submit():
        period = form.period.data.strip()
        if ledger.parse_period(period) != period:
            form.period.errors = [_l("月份格式应为 2026-10")]
        else:
            try:
                ledger.prepare_settlement(current_user, account, period)
            except DomainError as exc:
                db.session.rollback()
                _field_error(form, exc)
            else:
                commit()
                flash(_l("%(period)s 月底结算已提交，等待财务确认", period=period), "success")
                return redirect(url_for("ledger.settlements"), 303)
    return _settlement_page(db.session.get(type(account), account.id), form=form)


def _settlement_or_404(settlement_id: int) -> PeriodClose:
    row = db.session.get(PeriodClose, settlement_id)
    if row is None or not ledger.can_read(current_user, row.account):
        abort(404)
    return row


@bp.post("/settlements/<int:settlement_id>/confirm")
@role_required("finance")
def settlement_confirm(settlement_id):
    row = _settlement_or_404(settlement_id)
    try:
        ledger.confirm_settlement(current_user, row)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        commit()
        flash(_l("%(period)s 已结算并锁定", period=row.period), "success")
    return redirect(url_for("ledger.settlements", account=row.account_id), 303)


@bp.post("/settlements/<int:settlement_id>/send-back")
@role_required("finance")
def settlement_send_back(settlement_id):
    row = _settlement_or_404(settlement_id)
    form = SendBackForm()
    try:
        ledger.send_back_settlement(current_user, row, form.comment.data if form.validate_on_submit() else "")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        commit()
        flash(_l("已退回 %(period)s 的结算", period=row.period), "success")
    return redirect(url_for("ledger.settlements", account=row.account_id), 303)
