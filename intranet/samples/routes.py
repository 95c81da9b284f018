"""Thin views: load the record within the user's scope (404), check the role (403), parse the form,
one service call, commit once, render the page or its fragment (HTMX) or redirect 303."""

import re

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..clock import today_local
from ..extensions import db, htmx
from ..models import Customer, User
from ..models.samples import (
    CATEGORIES,
    MAILING_STATUSES,
    REQUEST_STATUSES,
    TO_CHECK,
    Mailing,
    SampleItem,
    SampleRequest,
    StockDoc,
)
from ..services import ledger, partners
from ..services import mailings as mail_svc
from ..services import samples as svc
from ..services.errors import DomainError
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.pagination import paginate
from ..web.pickers import pinyin_choices
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import DayForm, ItemForm, MailingForm, NoteForm, QuantitiesForm, ReceiptForm, RequestForm

ROLES = svc.SAMPLE_ROLES
ROW = re.compile(r"^lines-(\d+)-(item_id|quantity)$")
NEW_ROWS = 4


@bp.context_processor
def _labels():
    return {"svc": svc, "mail_svc": mail_svc}


def _done(url: str, message):
    flash(message, "success")
    if htmx:
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def _place(form, errors: dict) -> dict:
    """Errors naming a form field go next to it; the others (line rows) are returned for the template."""
    rest = {}
    for name, message in errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, str(message)]
        else:
            rest[name] = str(message)
    return rest


def _failed(form, exc: DomainError) -> dict:
    db.session.rollback()
    errors = exc.errors if isinstance(exc, svc.InputErrors) else {exc.field or "_form": exc.message}
    rest = _place(form, errors)
    if "_form" in rest:
        form.form_errors.append(rest.pop("_form"))
    return rest


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int) or None


# ---- the store ------------------------------------------------------------------------------

@bp.get("/")
@role_required(*ROLES)
def index():
    q = request.args.get("q", "").strip()[:60]
    category = request.args.get("category") if request.args.get("category") in CATEGORIES else ""
    low = request.args.get("low") == "1"
    stmt = select(SampleItem).order_by(SampleItem.active.desc(), SampleItem.code)
    if q:
        stmt = stmt.where(SampleItem.code.contains(q) | SampleItem.name.contains(q) | SampleItem.spec.contains(q))
    if category:
        stmt = stmt.where(SampleItem.category == category)
    if low:
        stmt = stmt.where(SampleItem.active, SampleItem.on_hand <= SampleItem.low_stock)
    if request.args.get("format") == "xlsx":
        rows = [(i.code, i.name, str(svc.CATEGORY_LABELS[i.category]), i.spec, i.unit, i.batch, i.location,
                 i.unit_cost, i.on_hand, i.reserved, i.available, i.low_stock, "预警" if i.is_low else "")
                for i in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("样品物料库存", ["编码", "名称", "类别", "型号/规格", "单位", "批号", "库位", "单位成本",
                                                 "库存", "待复核占用", "可发", "预警线", "状态"], rows), "samples-stock.xlsx")
    return render("samples/index.html", "list", page=paginate(stmt), f={"q": q, "category": category, "low": low},
                  low_items=svc.low_stock_items())


def _item_form(item: SampleItem | None):
    form = ItemForm(obj=item) if request.method == "GET" and item else ItemForm()
    if request.method == "GET" and item:
        form.low_stock.data = str(item.low_stock)
    if form.validate_on_submit():
        fields = {k: form[k].data for k in ("code", "name", "category", "spec", "unit", "batch", "location",
                                            "low_stock", "active")}
        fields["unit_cost"] = form.unit_cost.amount
        try:
            item = svc.save_item(current_user, item, fields)
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("samples.item_detail", item_id=item.id), _l("物料 %(code)s 已保存", code=item.code))
    return render("samples/item_form.html", "form", form=form, item=item)


@bp.route("/items/new", methods=["GET", "POST"])
@role_required(*svc.KEEPERS)
def item_new():
    return _item_form(None)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(*svc.KEEPERS)
def item_edit(item_id):
    return _item_form(svc.get_item_or_404(current_user, item_id))


@bp.get("/items/<int:item_id>")
@role_required(*ROLES)
def item_detail(item_id):
    item = svc.get_item_or_404(current_user, item_id)
    return render("samples/item.html", item=item, moves=svc.movements(item))


@bp.route("/receipts/new", methods=["GET", "POST"])
@role_required(*svc.KEEPERS)
def receipt_new():
    form = ReceiptForm()
    items = db.session.scalars(select(SampleItem).where(SampleItem.active).order_by(SampleItem.code)).all()
    form.item_id.choices = [("", "—")] + [(i.id, f"{i.code} {i.name} {i.spec}") for i in items]
    if request.method == "GET":
        form.item_id.data = _int_arg("item")
    if form.validate_on_submit():
        item = db.session.get(SampleItem, form.item_id.data) if form.item_id.data else None
        try:
            if item is None:
                raise DomainError(_l("请选择物料"), field="item_id")
            doc = svc.record_receipt(current_user, item, form.quantity.data, form.batch.data, form.note.data)
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("samples.stock_doc", doc_id=doc.id), _l("入库单 %(number)s 已登记，请另一位同事复核",
                                                                          number=doc.number))
    return render("samples/receipt_form.html", "form", form=form)


# ---- stock documents and the check ---------------------------------------------------------------

@bp.get("/docs")
@role_required(*svc.CHECKERS, *svc.KEEPERS)
def docs():
    pending = svc.to_check(current_user)
    mine = db.session.scalars(select(StockDoc).where(StockDoc.status == TO_CHECK,
                                                     StockDoc.prepared_by_id == current_user.id)
                              .order_by(StockDoc.id)).all()
    recent = (select(StockDoc).options(selectinload(StockDoc.lines), selectinload(StockDoc.prepared_by),
                                       selectinload(StockDoc.checked_by)).order_by(StockDoc.id.desc()))
    return render("samples/docs.html", "list", pending=pending, mine=mine, page=paginate(recent))


@bp.get("/docs/<int:doc_id>")
@role_required(*ROLES)
def stock_doc(doc_id):
    doc = svc.get_stock_doc_or_404(current_user, doc_id)
    return render("samples/doc.html", doc=doc, form=NoteForm())


@bp.post("/docs/<int:doc_id>/check")
@role_required(*svc.CHECKERS)
def check(doc_id):
    doc = svc.get_stock_doc_or_404(current_user, doc_id)
    svc.check(current_user, doc)
    commit()
    return _done(url_for("samples.stock_doc", doc_id=doc.id), _l("%(number)s 已复核，库存已更新", number=doc.number))


@bp.post("/docs/<int:doc_id>/cancel")
@role_required(*svc.CHECKERS, *svc.KEEPERS)
def cancel(doc_id):
    doc = svc.get_stock_doc_or_404(current_user, doc_id)
    form = NoteForm()
    svc.cancel(current_user, doc, form.note.data or "")
    commit()
    return _done(url_for("samples.stock_doc", doc_id=doc.id), _l("%(number)s 已作废", number=doc.number))


# ---- requests ---------------------------------------------------------------------------------

def _request_filters() -> dict:
    args = request.args
    return {"status": args.get("status") if args.get("status") in REQUEST_STATUSES else "",
            "rep": _int_arg("rep") or "", "q": args.get("q", "").strip()[:60]}


@bp.get("/requests")
@role_required(*ROLES)
def requests():
    f = _request_filters()
    stmt = svc.visible_requests(current_user).options(selectinload(SampleRequest.rep)).order_by(SampleRequest.id.desc())
    if f["status"]:
        stmt = stmt.where(SampleRequest.status == f["status"])
    if f["rep"]:
        stmt = stmt.where(SampleRequest.rep_id == f["rep"])
    if f["q"]:
        stmt = stmt.where(SampleRequest.number.contains(f["q"]) | SampleRequest.customer_name.contains(f["q"]))
    if request.args.get("format") == "xlsx":
        docs = db.session.scalars(stmt.options(selectinload(SampleRequest.lines)).limit(50000)).all()
        rows = [(d.number, d.month, d.rep.name, d.customer_name, d.purpose,
                 ";".join(f"{ln.item.code}×{ln.quantity}（已发 {ln.issued_qty}）" for ln in d.lines), d.total_value,
                 str(svc.STATUS_LABELS[d.status]), d.submitted_at, d.approved_at) for d in docs]
        return send_workbook(workbook("样品领用申请", ["单号", "月份", "申请人", "客户", "用途", "物料", "价值", "状态", "提交时间",
                                                 "批准时间"], rows), "sample-requests.xlsx")
    return render("samples/requests.html", "list", page=paginate(stmt), f=f, reps=svc.rep_choices(current_user),
                  can_create=current_user.role in svc.REQUESTERS, to_issue=svc.issues_to_do()
                  if current_user.role in svc.KEEPERS else [])


def _typed_lines() -> dict[int, dict]:
    rows: dict[int, dict] = {}
    for key, value in request.form.items():
        if m := ROW.match(key):
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = value
    return rows


def _request_form(doc: SampleRequest | None):
    rep = doc.rep if doc else current_user
    form = RequestForm(obj=doc) if request.method == "GET" and doc else RequestForm()
    form.customer_id.choices = [("", "—")] + pinyin_choices(svc.own_customers(rep))
    form.planned_visit_id.choices = [("", "—")] + [(v.id, f"{v.date:%Y-%m-%d} {v.customer.name}")
                                                   for v in svc.own_visits(rep)]
    if request.method == "GET" and doc is None:
        form.customer_id.data = _int_arg("customer")
    items = db.session.scalars(select(SampleItem).where(SampleItem.active).order_by(SampleItem.code)).all()
    if request.method == "GET":
        typed = {i: {"item_id": str(ln.item_id), "quantity": str(ln.quantity)}
                 for i, ln in enumerate(doc.lines)} if doc else {}
        for i in range(len(typed), len(typed) + NEW_ROWS):
            typed[i] = {"item_id": "", "quantity": ""}
    else:
        typed = _typed_lines()
    line_errors = {}
    if form.validate_on_submit():
        lines = [svc.LineInput(form.customer_id.coerce(r.get("item_id")), r.get("quantity", ""), row=i)
                 for i, r in sorted(typed.items())]
        fields = {k: form[k].data for k in ("customer_id", "planned_visit_id", "purpose")}
        try:
            doc = (svc.create_request(current_user, fields, lines) if doc is None
                   else svc.update_request(current_user, doc, fields, lines))
        except DomainError as exc:
            line_errors = _failed(form, exc)
        else:
            commit()
            return _done(url_for("samples.request_detail", sample_id=doc.id),
                         _l("领用申请 %(number)s 已保存，请提交审批", number=doc.number))
    return render("samples/request_form.html", "form", form=form, doc=doc, items=items, typed=typed,
                  line_errors=line_errors)


@bp.route("/requests/new", methods=["GET", "POST"])
@role_required(*svc.REQUESTERS)
def request_new():
    return _request_form(None)


@bp.route("/requests/<int:sample_id>/edit", methods=["GET", "POST"])
@role_required(*svc.REQUESTERS)
def request_edit(sample_id):
    doc = svc.get_request_or_404(current_user, sample_id)
    if doc.rep_id != current_user.id:
        abort(403)
    if not svc.can_edit(current_user, doc):
        raise DomainError(_l("该领用申请当前状态为“%(status)s”，不能修改", status=svc.STATUS_LABELS[doc.status]))
    return _request_form(doc)


def _detail(doc: SampleRequest, **extra):
    docs = db.session.scalars(select(StockDoc).where(StockDoc.request_id == doc.id)
                              .options(selectinload(StockDoc.lines)).order_by(StockDoc.id)).all()
    mails = db.session.scalars(select(Mailing).where(Mailing.request_id == doc.id).order_by(Mailing.id)).all()
    ctx = {"doc": doc, "req": svc.approval_request(doc), "docs": docs, "mails": mails,
           "short": svc.shortfalls(doc) if doc.status in ("approved", "partly_issued") else []}
    ctx.update(extra)
    return ctx


@bp.get("/requests/<int:sample_id>")
@role_required(*ROLES)
def request_detail(sample_id):
    doc = svc.get_request_or_404(current_user, sample_id)
    return render("samples/request.html", **_detail(doc))


@bp.get("/requests/<int:sample_id>/print")
@role_required(*ROLES)
def request_print(sample_id):
    doc = svc.get_request_or_404(current_user, sample_id)
    req = svc.approval_request(doc)
    return render("samples/request_print.html", **_detail(doc), decisions=req.decisions if req else [],
                  printed_on=today_local())


@bp.post("/requests/<int:sample_id>/submit")
@role_required(*svc.REQUESTERS)
def request_submit(sample_id):
    doc = svc.get_request_or_404(current_user, sample_id)
    if doc.rep_id != current_user.id:
        abort(403)
    svc.submit(current_user, doc)
    commit()
    return _done(url_for("samples.request_detail", sample_id=doc.id), _l("已提交审批"))


@bp.post("/requests/<int:sample_id>/withdraw")
@role_required(*svc.REQUESTERS)
def request_withdraw(sample_id):
    doc = svc.get_request_or_404(current_user, sample_id)
    if doc.rep_id != current_user.id:
        abort(403)
    svc.withdraw(current_user, doc)
    commit()
    return _done(url_for("samples.request_detail", sample_id=doc.id), _l("已撤回，可以修改后重新提交"))


def _quantities_page(sample_id: int, mode: str):
    """Issue (发放) or return (归还入库): one quantity per line, errors next to each line."""
    doc = svc.get_request_or_404(current_user, sample_id)
    form = QuantitiesForm()
    limit = svc.remaining if mode == "issue" else svc.returnable
    typed = {ln.id: request.form.get(f"line_{ln.id}", "") if request.method == "POST"
             else str(min(limit(ln), max(ln.item.available, 0)) if mode == "issue" else 0) for ln in doc.lines}
    line_errors = {}
    if form.validate_on_submit():
        action = svc.issue if mode == "issue" else svc.return_to_store
        try:
            stock_doc = action(current_user, doc, {ln.id: typed[ln.id] for ln in doc.lines}, form.note.data or "")
        except DomainError as exc:
            line_errors = _failed(form, exc)
            doc = svc.get_request_or_404(current_user, sample_id)
        else:
            commit()
            return _done(url_for("samples.stock_doc", doc_id=stock_doc.id),
                         _l("%(number)s 已登记，请另一位同事复核", number=stock_doc.number))
    return render("samples/quantities.html", "form", doc=doc, form=form, mode=mode, typed=typed, limit=limit,
                  line_errors=line_errors, short=svc.shortfalls(doc) if mode == "issue" else [])


@bp.route("/requests/<int:sample_id>/issue", methods=["GET", "POST"])
@role_required(*svc.KEEPERS)
def request_issue(sample_id):
    doc = svc.get_request_or_404(current_user, sample_id)
    if doc.status not in ("approved", "partly_issued"):
        raise DomainError(_l("该领用申请当前状态为“%(status)s”，不能发放", status=svc.STATUS_LABELS[doc.status]))
    return _quantities_page(sample_id, "issue")


@bp.route("/requests/<int:sample_id>/return", methods=["GET", "POST"])
@role_required(*svc.KEEPERS)
def request_return(sample_id):
    doc = svc.get_request_or_404(current_user, sample_id)
    if not any(ln.issued_qty > ln.returned_qty for ln in doc.lines):
        raise DomainError(_l("该领用申请没有已发放未归还的物料"))
    return _quantities_page(sample_id, "return")


@bp.post("/requests/<int:sample_id>/shortage")
@role_required(*svc.KEEPERS)
def request_shortage(sample_id):
    doc = svc.get_request_or_404(current_user, sample_id)
    QuantitiesForm().validate_on_submit()
    rows = svc.register_shortage(current_user, doc)
    commit()
    return _done(url_for("samples.request_detail", sample_id=doc.id),
                 _l("已登记缺货 %(n)d 项，并已通知主管", n=len(rows)))


@bp.get("/shortages")
@role_required(*ROLES)
def shortages():
    return render("samples/shortages.html", "list", page=paginate(svc.shortages_query(current_user)))


@bp.get("/on-loan")
@role_required(*ROLES)
def on_loan():
    """Samples out with a person (借出未还) — what a leaver's handover must account for."""
    reps = svc.rep_choices(current_user)
    rep = db.session.get(User, _int_arg("rep") or current_user.id)
    if rep is None or not svc.can_see_rep(current_user, rep):
        abort(404)
    return render("samples/on_loan.html", rep=rep, reps=reps, rows=svc.on_loan(rep))


# ---- mailing register ---------------------------------------------------------------------------

def _mail_filters() -> dict:
    args = request.args
    return {"status": args.get("status") if args.get("status") in MAILING_STATUSES else "",
            "q": args.get("q", "").strip()[:60]}


@bp.get("/mailings")
@role_required(*ROLES)
def mailings():
    f = _mail_filters()
    stmt = mail_svc.visible_query(current_user).order_by(Mailing.sent_on.desc(), Mailing.id.desc())
    if f["status"]:
        stmt = stmt.where(Mailing.status == f["status"])
    if f["q"]:
        stmt = stmt.where(Mailing.customer_name.contains(f["q"]) | Mailing.tracking_no.contains(f["q"])
                          | Mailing.number.contains(f["q"]))
    return render("samples/mailings.html", "list", page=paginate(stmt), f=f,
                  can_create=current_user.role in mail_svc.REGISTRARS)


@bp.route("/mailings/new", methods=["GET", "POST"])
@role_required(*mail_svc.REGISTRARS)
def mailing_new():
    form = MailingForm()
    reqs = db.session.scalars(select(SampleRequest).where(SampleRequest.status.in_(("partly_issued", "issued")))
                              .order_by(SampleRequest.id.desc()).limit(200)).all()
    form.request_id.choices = [("", "—")] + [(r.id, f"{r.number} {r.customer_name}") for r in reqs]
    customers = db.session.scalars(select(Customer).order_by(Customer.name)).all()
    form.customer_id.choices = [("", "—")] + pinyin_choices(customers)
    if request.method == "GET":
        form.sent_on.data = today_local()
        form.method.data = "courier"
        chosen = db.session.get(SampleRequest, _int_arg("request") or 0)
        if chosen is not None:
            form.request_id.data, form.customer_id.data = chosen.id, chosen.customer_id
            form.contents.data = "、".join(f"{ln.item.name}×{ln.issued_qty}" for ln in chosen.lines if ln.issued_qty)
    if form.validate_on_submit():
        fields = {k: form[k].data for k in ("request_id", "customer_id", "contents", "method", "carrier",
                                            "tracking_no", "sent_on", "pay_from_petty_cash", "recipient", "phone",
                                            "address")}
        fields["cost"] = form.cost.amount
        try:
            row = mail_svc.register(current_user, fields)
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("samples.mailing_detail", mailing_id=row.id), _l("寄件 %(number)s 已登记",
                                                                                   number=row.number))
    account = ledger.find_account(current_user)
    return render("samples/mailing_form.html", "form", form=form, account=account,
                  carriers=partners.carrier_names(current_user.region_id))


@bp.get("/mailings/<int:mailing_id>")
@role_required(*ROLES)
def mailing_detail(mailing_id):
    row = mail_svc.get_visible_or_404(current_user, mailing_id)
    form = DayForm()
    form.on.data = today_local()
    return render("samples/mailing.html", row=row, form=form)


def _mailing_step(mailing_id: int, allowed, action, message):
    row = mail_svc.get_visible_or_404(current_user, mailing_id)
    if not allowed(current_user, row):
        raise DomainError(_l("该寄件当前状态为“%(status)s”，不在这一步", status=mail_svc.STATUS_LABELS[row.status]))
    form = DayForm()
    if request.method == "GET":
        form.on.data = today_local()
    if form.validate_on_submit():
        try:
            action(current_user, row, form.on.data)
        except DomainError as exc:
            _failed(form, exc)
            row = mail_svc.get_visible_or_404(current_user, mailing_id)
        else:
            commit()
            return _done(url_for("samples.mailing_detail", mailing_id=row.id), message)
    return render("samples/mailing_step.html", "form", row=row, form=form, step=action.__name__)


@bp.route("/mailings/<int:mailing_id>/received", methods=["GET", "POST"])
@role_required(*ROLES)
def mailing_received(mailing_id):
    return _mailing_step(mailing_id, mail_svc.can_receive, mail_svc.mark_received, _l("已登记查收"))


@bp.route("/mailings/<int:mailing_id>/confirm", methods=["GET", "POST"])
@role_required(*mail_svc.REGISTRARS)
def mailing_confirm(mailing_id):
    return _mailing_step(mailing_id, mail_svc.can_confirm, mail_svc.confirm, _l("已核实"))


# ---- monthly registers: page, Excel, print ---------------------------------------------------------

def _register_args():
    rep_id, customer_id = _int_arg("rep"), _int_arg("customer")
    if rep_id and not svc.can_see_rep(current_user, db.session.get(User, rep_id)):
        abort(404)
    customer = db.session.get(Customer, customer_id) if customer_id else None
    if customer_id and (customer is None or not svc.can_see_rep(current_user, customer.owner)):
        abort(404)
    return svc.valid_month(request.args.get("month")), rep_id, customer_id


@bp.get("/register/issues")
@role_required(*ROLES)
def issue_register():
    month, rep_id, customer_id = _register_args()
    rows = svc.register_rows(current_user, month, rep_id, customer_id)
    if request.args.get("format") == "xlsx":
        data = [(d.checked_at, d.number, str(svc.KIND_LABELS[d.kind]), d.request.number, d.request.rep.name,
                 d.request.customer_name, ln.item.code, ln.item.name, ln.item.spec, ln.batch,
                 ln.quantity if d.kind == "issue" else -ln.quantity, ln.item.unit, ln.unit_cost,
                 ln.unit_cost * ln.quantity, d.prepared_by.name, d.checked_by.name) for d, ln in rows]
        return send_workbook(workbook(f"领用发放登记{month}", ["复核时间", "单号", "类别", "领用单", "业务员", "客户", "编码",
                                                          "名称", "型号", "批号", "数量", "单位", "单位成本", "金额",
                                                          "经办人", "复核人"], data), f"sample-issues-{month}.xlsx")
    template = "samples/issue_register_print.html" if request.args.get("format") == "print" else \
        "samples/issue_register.html"
    return render(template, "register", rows=rows, summary=svc.register_summary(rows), month=month, rep_id=rep_id,
                  customer_id=customer_id, reps=svc.rep_choices(current_user), customers=_customers(),
                  printed_on=today_local())


def _customers():
    from ..services import customers as customer_svc

    return db.session.scalars(customer_svc.visible_query(current_user).order_by(Customer.name)).all()


@bp.get("/register/mailings")
@role_required(*ROLES)
def mailing_register():
    month, rep_id, customer_id = _register_args()
    rows = mail_svc.register_rows(current_user, month, rep_id, customer_id)
    if request.args.get("format") == "xlsx":
        data = [(m.sent_on, m.number, m.customer_name, m.rep.name if m.rep else "", m.contents,
                 str(mail_svc.METHOD_LABELS[m.method]), m.carrier, m.tracking_no, m.cost, m.recipient, m.phone,
                 m.address, str(mail_svc.STATUS_LABELS[m.status]), m.received_on, m.confirmed_on,
                 "是" if m.ledger_entry_id else "") for m in rows]
        return send_workbook(workbook(f"寄件登记{month}", ["寄出日期", "编号", "客户", "业务员", "寄件内容", "方式", "承运公司",
                                                      "运单号", "费用", "收件人", "电话", "地址", "状态", "查收日期",
                                                      "核实日期", "备用金支付"], data), f"mailings-{month}.xlsx")
    template = "samples/mailing_register_print.html" if request.args.get("format") == "print" else \
        "samples/mailing_register.html"
    return render(template, "register", rows=rows, month=month, rep_id=rep_id, customer_id=customer_id,
                  reps=svc.rep_choices(current_user), customers=_customers(), printed_on=today_local(),
                  total=sum((m.cost for m in rows), start=svc.Decimal("0.00")))
