"""Thin views: load the record within the user's scope (404), check the role (403), parse the form,
one service call, commit once, render the page or its fragment (HTMX) or redirect 303."""

import re
from datetime import date

from flask import abort, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..clock import today_local
from ..extensions import db
from ..models import Customer, DunningLine, IncomingPayment, PaymentAllocation, Team, User
from ..services import dunning as dun_svc
from ..services import orders as order_svc
from ..services import payments as pay_svc
from ..services import receipts
from ..services import receivables as svc
from ..services.errors import DomainError
from ..web.actions import act as _act
from ..web.actions import done as _done
from ..web.actions import failed as _failed
from ..web.excel import append_row, send_workbook, workbook
from ..web.guards import ALL_ROLES, role_required
from ..web.money_input import parse_amount
from ..web.pagination import Page, paginate
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import AllocateForm, IncomingForm, IssueForm, ReasonForm, RecordForm

AMOUNT = re.compile(r"^amount_(\d+)$")
VIEWS = ("customer", "rep", "invoice")


@bp.context_processor
def _labels():
    return {"svc": svc, "pay_svc": pay_svc, "dun_svc": dun_svc}


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


# ---- receipts (来款) ----------------------------------------------------------------------------

@bp.get("/payments")
@role_required(*ALL_ROLES)
def payments():
    q = request.args.get("q", "").strip()[:60]
    state = request.args.get("state") if request.args.get("state") in ("open", "done") else ""
    start, end = _day("from"), _day("to")
    stmt = svc.visible(current_user).options(selectinload(IncomingPayment.customer)) \
        .order_by(IncomingPayment.received_on.desc(), IncomingPayment.id.desc())
    if q:
        stmt = stmt.where(or_(IncomingPayment.number.contains(q), IncomingPayment.payer.contains(q),
                              IncomingPayment.customer_id.in_(select(Customer.id).where(Customer.name.contains(q)))))
    if state == "open":
        stmt = stmt.where(IncomingPayment.allocated < IncomingPayment.amount)
    elif state == "done":
        stmt = stmt.where(IncomingPayment.allocated >= IncomingPayment.amount)
    if start:
        stmt = stmt.where(IncomingPayment.received_on >= start)
    if end:
        stmt = stmt.where(IncomingPayment.received_on <= end)
    if request.args.get("format") == "xlsx":
        rows = [(p.number, p.received_on, p.customer.name, p.payer, str(pay_svc.PAY_TYPE_LABELS[p.pay_type]), p.bank,
                 p.amount, p.allocated, p.unallocated) for p in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("来款", ["编号", "到账日期", "客户", "付款单位", "付款方式", "收款银行", "金额", "已分配",
                                             "未分配（客户余款）"], rows), "incoming.xlsx")
    return render("receivables/payments.html", "list", page=paginate(stmt),
                  f={"q": q, "state": state, "from": request.args.get("from", ""), "to": request.args.get("to", "")})


@bp.route("/payments/new", methods=["GET", "POST"])
@role_required(*svc.REGISTRARS)
def payment_new():
    form = IncomingForm()
    form.customer_id.choices = [("", "—")] + [(c.id, c.name) for c in order_svc.customers_for(current_user)]
    if request.method == "GET":
        form.customer_id.data = request.args.get("customer", type=int)
        form.received_on.data = today_local()
    if form.validate_on_submit():
        upload = request.files.get("slip")
        slip = (upload.filename, receipts.read_upload(upload)) if upload and upload.filename else None
        fields = {"customer": db.session.get(Customer, form.customer_id.data) if form.customer_id.data else None,
                  "payer": form.payer.data, "pay_type": form.pay_type.data, "bank": form.bank.data,
                  "amount": form.amount.amount, "received_on": form.received_on.data, "note": form.note.data}
        try:
            payment = svc.register(current_user, fields, slip)
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("receivables.payment_detail", incoming_id=payment.id),
                         _l("来款 %(number)s 已登记，待销售内勤分配", number=payment.number))
    return render("receivables/payment_form.html", "form", form=form)


def _allocate_form(payment, form=None) -> AllocateForm:
    form = form or AllocateForm()
    form.contract_id.choices = [("", "—")] + [
        (c.id, f"{c.number}（{c.total_amount:,.2f}）") for c in svc.signed_contracts(payment.customer_id)]
    return form


def _detail_context(payment, form=None, amount_errors=None) -> dict:
    rows = svc.allocations(payment)
    allocator = current_user.role in svc.ALLOCATORS
    return {"payment": payment, "rows": rows, "reversed": svc.reversed_ids(payment), "slip": svc.slip(payment),
            "open": svc.open_invoices(payment.customer_id) if allocator else [],
            "form": _allocate_form(payment, form) if allocator else AllocateForm(), "reason_form": ReasonForm(),
            "amount_errors": amount_errors or {},
            "typed": {k: v for k, v in request.form.items() if AMOUNT.match(k)}}


@bp.get("/payments/<int:incoming_id>")
@role_required(*ALL_ROLES)
def payment_detail(incoming_id):
    payment = svc.get_or_404(current_user, incoming_id)
    return render("receivables/payment.html", **_detail_context(payment))


def _amounts() -> tuple[dict[int, object], dict[str, str]]:
    amounts, errors = {}, {}
    for key, value in request.form.items():
        m = AMOUNT.match(key)
        if not m or not (value or "").strip() or len(amounts) > 200:
            continue
        try:
            amounts[int(m.group(1))] = parse_amount(value)
        except ValueError as exc:
            errors[key] = str(exc.args[0])
    return amounts, errors


@bp.route("/payments/<int:incoming_id>/allocate", methods=["GET", "POST"])
@role_required(*svc.ALLOCATORS)
def allocate(incoming_id):
    payment = svc.get_or_404(current_user, incoming_id)
    form = AllocateForm()
    amount_errors: dict = {}
    if form.validate_on_submit():
        amounts, amount_errors = _amounts()
        if not amount_errors:
            try:
                made = svc.allocate_many(current_user, payment, amounts, form.memo.data,
                                         contract_ref=form.contract_id.data)
            except DomainError as exc:
                amount_errors = _failed(form, exc)
            else:
                commit()
                return _done(url_for("receivables.payment_detail", incoming_id=payment.id),
                             _l("已分配 %(n)d 笔，待财务确认", n=len(made)))
    return render("receivables/payment.html", "allocate", **_detail_context(payment, form, amount_errors))


@bp.post("/allocations/<int:allocation_id>/confirm")
@role_required(*svc.CONFIRMERS)
def allocation_confirm(allocation_id):
    row = db.session.get(PaymentAllocation, allocation_id) or abort(404)
    form = ReasonForm()
    form.validate_on_submit()
    return _act(url_for("receivables.payment_detail", incoming_id=row.payment_id),
                lambda: svc.confirm(current_user, row), _l("已确认"))


@bp.post("/allocations/<int:allocation_id>/reverse")
@role_required(*svc.ALLOCATORS)
def allocation_reverse(allocation_id):
    row = db.session.get(PaymentAllocation, allocation_id) or abort(404)
    form = ReasonForm()
    form.validate_on_submit()
    return _act(url_for("receivables.payment_detail", incoming_id=row.payment_id),
                lambda: svc.reverse(current_user, row, form.memo.data), _l("已登记冲销，待财务确认"))


@bp.get("/allocations/to-confirm")
@role_required(*svc.CONFIRMERS)
def to_confirm():
    stmt = svc.unconfirmed(current_user).options(selectinload(PaymentAllocation.payment),
                                                  selectinload(PaymentAllocation.invoice))
    return render("receivables/to_confirm.html", "list", page=paginate(stmt), form=ReasonForm())


# ---- receivables (应收账款) -----------------------------------------------------------------------

def _filters() -> dict:
    view = request.args.get("view") if request.args.get("view") in VIEWS else "customer"
    flag = request.args.get("flag") if request.args.get("flag") in svc.FLAG_LABELS else ""
    return {"view": view, "flag": flag, "rep_id": request.args.get("rep", type=int),
            "customer_id": request.args.get("customer", type=int), "asof": _day("asof") or today_local()}


@bp.get("/")
@role_required(*ALL_ROLES)
def index():
    f = _filters()
    export = request.args.get("format") == "xlsx"
    # The per-customer view lists a page of customers (thousands at a department's size); the export
    # and the other two views read the whole register through the same service call.
    per_page = current_app.config["PAGE_SIZE"] if f["view"] == "customer" and not export else None
    number = max(request.args.get("page", 1, type=int) or 1, 1)
    report = svc.receivables(current_user, f["asof"], customer_id=f["customer_id"], rep_id=f["rep_id"], flag=f["flag"],
                             parts=(f["view"],), per_page=per_page, page=number)
    if export:
        return send_workbook(_ageing_workbook(report, f["view"]), f"receivables-{report.asof:%Y%m%d}.xlsx")
    page = Page(report.by_customer, number, per_page, report.customer_count, report.more_customers, False) \
        if per_page else None
    reps = db.session.scalars(select(User).where(User.role.in_(("rep", "supervisor")), User.active,
                                                 order_svc.scope(current_user, User.id)).order_by(User.name)).all()
    return render("receivables/index.html", "report", report=report, f=f, reps=reps, page=page)


def _ageing_workbook(report, view: str):
    buckets = [str(svc.BUCKET_LABELS[b]) for b in svc.BUCKETS]
    if view == "invoice":
        headers = ["开票号", "发票号码", "客户", "业务员", "开票日期", "回款期限", "账龄（天）", "状态", "开票金额", "已回款",
                   "未回款", *buckets]
        rows = [(x.number, x.invoice_no, x.customer, x.rep, x.invoiced_on, x.due_on, x.age, str(svc.FLAG_LABELS[x.flag]),
                 *_money(x.figures)) for x in report.lines]
        lead = 8
    else:
        groups = report.by_customer if view == "customer" else report.by_rep
        headers = ["客户" if view == "customer" else "业务员", "发票张数", "开票金额", "已回款", "未回款", *buckets, "即将到期",
                   "已逾期"] + (["客户余款"] if view == "customer" else [])
        rows = [(g.name, g.figures.count, *_money(g.figures), g.figures.due, g.figures.overdue,
                 *([g.credit] if view == "customer" else [])) for g in groups]
        lead = 2
    wb = workbook(f"应收账款 {report.asof:%Y-%m-%d}", headers, rows)
    t = report.total
    totals = ["合计", *[""] * (lead - 2), t.count] if view != "invoice" else ["合计", *[""] * (lead - 1)]
    totals += [*_money(t)]
    if view != "invoice":
        totals += [t.due, t.overdue] + ([report.credit_total] if view == "customer" else [])
    append_row(wb.active, totals)
    return wb


def _money(fig) -> list:
    return [fig.invoiced, fig.collected, fig.open, *[fig.buckets[b] for b in svc.BUCKETS]]


# ---- dunning notices (催款通知单) ------------------------------------------------------------------

@bp.get("/dunning")
@role_required(*ALL_ROLES)
def dunning():
    form = IssueForm()
    form.team_id.choices = [("", "—")] + [(t.id, t.name) for t in db.session.scalars(select(Team).order_by(Team.name))]
    return render("receivables/dunning.html", "list", page=paginate(dun_svc.visible(current_user)), form=form)


@bp.post("/dunning/issue")
@role_required(*dun_svc.ISSUERS)
def dunning_issue():
    form = IssueForm()
    form.team_id.choices = []
    form.validate_on_submit()
    team = db.session.get(Team, form.team_id.data) if form.team_id.data else None
    return _act(url_for("receivables.dunning"), lambda: dun_svc.issue(current_user, team), _l("催款通知单已下发主管"))


@bp.get("/dunning/<int:dunning_id>")
@role_required(*ALL_ROLES)
def dunning_detail(dunning_id):
    notice = dun_svc.get_or_404(current_user, dunning_id)
    lines = notice.lines if current_user.role != "rep" else [x for x in notice.lines if x.rep_id == current_user.id]
    return render("receivables/dunning_detail.html", notice=notice, lines=lines, form=RecordForm())


@bp.post("/dunning/<int:dunning_id>/pass-on")
@role_required("supervisor")
def dunning_pass_on(dunning_id):
    notice = dun_svc.get_or_404(current_user, dunning_id)
    return _act(url_for("receivables.dunning_detail", dunning_id=notice.id),
                lambda: dun_svc.pass_on(current_user, notice), _l("已下发业务员"))


@bp.post("/dunning/lines/<int:dunning_line_id>/record")
@role_required("rep")
def dunning_record(dunning_line_id):
    line = db.session.get(DunningLine, dunning_line_id) or abort(404)
    if line.rep_id != current_user.id:
        abort(404)
    form = RecordForm()
    form.validate_on_submit()
    return _act(url_for("receivables.dunning_detail", dunning_id=line.notice_id),
                lambda: dun_svc.record(current_user, line, form.contact_person.data, form.result.data,
                                       form.promised_on.data), _l("催款结果已登记"))
