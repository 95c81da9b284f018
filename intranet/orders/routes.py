"""Thin views: load the record within the user's scope (404), check the role (403), parse the form,
one service call, commit once, render the page or its fragment (HTMX) or redirect 303."""


from flask import abort, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from ..clock import today_local
from ..extensions import db
from ..models import Customer, Product
from ..models.orders import (
    CHECKED,
    ORDER_STATUSES,
    REGISTERED,
    REQUESTED,
    SHIPPABLE,
    TO_CHECK,
    Invoice,
    InvoiceSummary,
    Order,
    OrderShortage,
    PaymentNotice,
    Shipment,
    StockCount,
)
from ..services import certificates as cert_svc
from ..services import invoices as inv_svc
from ..services import order_returns, partners
from ..services import orders as svc
from ..services import payments as pay_svc
from ..services import shipments as ship_svc
from ..services import stock as stock_svc
from ..services.errors import DomainError
from ..services.samples import InputErrors
from ..web.actions import act as _act
from ..web.actions import done as _done
from ..web.actions import failed as _failed
from ..web.excel import send_workbook, workbook
from ..web.guards import role_required
from ..web.money_input import parse_amount
from ..web.pagination import paginate
from ..web.pickers import pinyin_choices
from ..web.product_lines import MAX_ROWS, ROW, typed_lines
from ..web.rendering import render
from ..web.transaction import commit
from . import bp
from .forms import (
    CertificateCheckForm,
    CountForm,
    DecideForm,
    EnterForm,
    InvoiceForm,
    NoticeForm,
    OrderForm,
    PaymentForm,
    PromiseForm,
    ReasonForm,
    ReceiveForm,
    ScanForm,
    ShipmentForm,
)

ROLES = svc.ORDER_ROLES
NEW_ROWS = 4
TABS = ("today", "payment", "ship", "notice", "invoice", "shortage")


@bp.context_processor
def _labels():
    return {"svc": svc, "cert_svc": cert_svc, "order_returns": order_returns, "pay_svc": pay_svc, "ship_svc": ship_svc, "inv_svc": inv_svc, "stock_svc": stock_svc}


# ---- the order desk ---------------------------------------------------------------------------

def _tab_query(tab: str):
    """The tab's rows with what the desk shows of them loaded alongside (a page asks no more per row)."""
    stmt = _tab_rows(tab)
    entity = stmt.column_descriptions[0]["entity"]
    if entity is Order:
        return stmt.options(selectinload(Order.customer), selectinload(Order.rep))
    if entity is Shipment:
        return stmt.options(selectinload(Shipment.order).selectinload(Order.customer))
    return stmt.options(selectinload(OrderShortage.customer), selectinload(OrderShortage.product))


def _tab_rows(tab: str):
    if tab == "today":
        return select(Order).where(Order.requested_on == today_local()).order_by(Order.id.desc())
    if tab == "payment":
        return select(Order).where(Order.status == REQUESTED).order_by(Order.id)
    if tab == "ship":
        return select(Order).where(Order.status.in_(SHIPPABLE)).order_by(Order.entered_at)
    if tab == "notice":
        return ship_svc.awaiting_notice()
    if tab == "invoice":
        return inv_svc.to_invoice()
    return select(OrderShortage).where(OrderShortage.resolved.is_(False)).order_by(OrderShortage.promised_on)


def _count(stmt) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


@bp.get("/desk")
@role_required(*svc.DESK)
def desk():
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "today"
    counts = {t: _count(_tab_query(t)) for t in TABS}
    page = paginate(_tab_query(tab))
    checks = ship_svc.to_check(current_user)
    return render("orders/desk.html", "tab", oob=("counts",), tab=tab, counts=counts, page=page, checks=checks,
                  payments_waiting=pay_svc.waiting())


# ---- orders -------------------------------------------------------------------------------------

@bp.get("/")
@role_required(*ROLES)
def index():
    q = request.args.get("q", "").strip()[:60]
    status = request.args.get("status") if request.args.get("status") in ORDER_STATUSES else ""
    stmt = svc.visible(current_user).options(selectinload(Order.customer), selectinload(Order.rep)) \
        .order_by(Order.id.desc())
    if q:
        stmt = stmt.join(Customer, Order.customer_id == Customer.id).where(
            Order.number.contains(q) | Customer.name.contains(q))
    if status:
        stmt = stmt.where(Order.status == status)
    if request.args.get("format") == "xlsx":
        rows = [(o.number, o.requested_on, o.customer.name, o.rep.name, str(svc.STATUS_LABELS[o.status]), o.total,
                 o.entered_on, o.consignee, o.address) for o in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("订单", ["订单号", "登记日期", "客户", "业务员", "状态", "金额", "制单日期", "收货人",
                                             "地址"], rows), "orders.xlsx")
    return render("orders/index.html", "list", page=paginate(stmt), f={"q": q, "status": status})


def _lines_from_form() -> list[svc.LineInput]:
    return typed_lines(svc.LineInput)


@bp.route("/new", methods=["GET", "POST"])
@role_required(*svc.REQUESTERS)
def new():
    form = OrderForm()
    customers = svc.customers_for(current_user)
    form.customer_id.choices = [("", "—")] + pinyin_choices(customers)
    if request.method == "GET":  # "new order against this contract" links carry both
        form.customer_id.data = request.args.get("customer", type=int)
        form.contract_id.data = request.args.get("contract", type=int)
    _contract_choices(form)
    form.customer_id.render_kw = {"data-hx-get": url_for("orders.contract_choices"), "data-hx-trigger": "change",
                                  "data-hx-target": "#contract-field", "data-hx-swap": "outerHTML",
                                  "data-hx-include": "this"}
    lines = _lines_from_form() if request.method == "POST" else []
    line_errors: dict = {}
    if form.validate_on_submit():
        customer = db.session.get(Customer, form.customer_id.data) if form.customer_id.data else None
        fields = {k: form[k].data for k in ("delivery_method", "wanted_on", "consignee", "phone", "address", "note",
                                            "contract_id")}
        fields["customer"] = customer
        try:
            outcome = svc.request(current_user, fields, lines, form.promised_on.data)
        except DomainError as exc:
            line_errors = _failed(form, exc)
        else:
            commit()
            if outcome.order is None:
                return _done(url_for("orders.shortages"), _l("超出库存，未制单；已登记缺货 %(n)d 项并报主管，请告知客户承诺发货日期",
                                                             n=len(outcome.shortages)), "warning")
            return _done(url_for("orders.detail", order_id=outcome.order.id),
                         _l("订货登记 %(number)s 已保存，待财务确认到账后制单", number=outcome.order.number))
    while len(lines) < NEW_ROWS:
        lines.append(svc.LineInput(None, "", None, row=len(lines) and max(x.row for x in lines) + 1))
    return render("orders/form.html", "form", form=form, lines=lines, line_errors=line_errors,
                  products=svc.products(), available=stock_svc.available([p.id for p in svc.products()]))


def _contract_choices(form) -> None:
    """The chosen customer's signed contracts (those the user may see), to order against one of them."""
    customer = db.session.get(Customer, form.customer_id.data) if form.customer_id.data else None
    form.contract_id.choices = [SelectChoice("", _l("（不关联合同）"))] + [
        SelectChoice(c.id, f"{c.number} · {c.signed_on:%Y-%m-%d} · ¥{c.total_amount:,.2f}")
        for c in svc.signed_contracts(current_user, customer)]


@bp.get("/contract-choices")
@role_required(*svc.REQUESTERS)
def contract_choices():
    """As the customer is picked on the order form: the contract field for that customer."""
    form = OrderForm(meta={"csrf": False}, formdata=None)
    form.customer_id.data = request.args.get("customer_id", type=int)
    _contract_choices(form)
    return render("orders/_contract_field.html", form=form)


@bp.get("/stock-check")
@role_required(*svc.REQUESTERS)
def stock_check():
    """As the order is typed: what each chosen product has available."""
    lines = [ln for ln in _lines_from_args() if ln[0]]
    have = stock_svc.available([p for p, _ in lines])
    return render("orders/_stock_check.html", checks=[(db.session.get(Product, p), q, have[p]) for p, q in lines])


def _lines_from_args():
    out = []
    for key, value in request.args.items():
        m = ROW.match(key)
        if m and m.group(2) == "product_id" and len(out) < MAX_ROWS:
            try:
                pid = int(value or 0)
            except ValueError:
                continue
            qty = request.args.get(f"lines-{m.group(1)}-quantity", "")
            if db.session.get(Product, pid) is not None:
                out.append((pid, int(qty) if qty.isdigit() and len(qty) < 7 else 0))
    return out


@bp.get("/<int:order_id>")
@role_required(*ROLES)
def detail(order_id):
    order = svc.get_or_404(current_user, order_id)
    enter_form = EnterForm()
    usable = pay_svc.usable_for(order) if order.status == REQUESTED else []
    enter_form.payment_id.choices = [("", _l("（无：已特批先发货）"))] + [
        (p.id, f"{p.number} {p.paid_on} ¥{p.amount:,.2f}") for p in usable]
    if usable:
        enter_form.payment_id.data = usable[0].id
    shipments = db.session.scalars(select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id)).all()
    invoices = db.session.scalars(select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id)).all()
    return render("orders/detail.html", order=order, enter_form=enter_form, reason_form=ReasonForm(),
                  promise_form=PromiseForm(), shipments=shipments, invoices=invoices,
                  needs=svc.needs(order) if order.status == REQUESTED else [],
                  approved=svc.exception_approved(order), req=svc.exception_request(order),
                  legality=svc.legality_problem(order.customer))


@bp.post("/<int:order_id>/exception")
@role_required(*svc.REQUESTERS)
def exception(order_id):
    order = svc.get_or_404(current_user, order_id)
    form = ReasonForm()
    url = url_for("orders.detail", order_id=order.id)
    if not form.validate_on_submit():
        return _done(url, _l("请重新提交"), "error")
    return _act(url, lambda: svc.ask_exception(current_user, order, form.reason.data), _l("特批申请已提交"))


@bp.post("/<int:order_id>/enter")
@role_required(*svc.DESK)
def enter(order_id):
    order = svc.get_or_404(current_user, order_id)
    form = EnterForm()
    form.payment_id.choices = []
    payment = db.session.get(PaymentNotice, form.payment_id.data) if form.validate_on_submit() and \
        form.payment_id.data else None
    url = url_for("orders.detail", order_id=order.id)
    return _act(url, lambda: svc.enter(current_user, order, payment), _l("已制单，库存已占用"))


@bp.post("/<int:order_id>/shortage")
@role_required(*svc.DESK)
def shortage(order_id):
    order = svc.get_or_404(current_user, order_id)
    form = PromiseForm()
    form.validate_on_submit()
    url = url_for("orders.detail", order_id=order.id)
    return _act(url, lambda: svc.register_shortage(current_user, order, form.promised_on.data),
                _l("已登记缺货并报主管"))


@bp.post("/<int:order_id>/cancel")
@role_required(*svc.REQUESTERS)
def cancel(order_id):
    order = svc.get_or_404(current_user, order_id)
    form = ReasonForm()
    form.validate_on_submit()
    return _act(url_for("orders.detail", order_id=order.id), lambda: svc.cancel(current_user, order, form.reason.data),
                _l("订单已取消"))


@bp.get("/shortages")
@role_required(*ROLES)
def shortages():
    stmt = svc.shortages(current_user).options(selectinload(OrderShortage.product), selectinload(OrderShortage.customer))
    if request.args.get("format") == "xlsx":
        rows = [(s.registered_on, s.customer.name, s.product.name, s.spec, s.quantity, s.available, s.shortfall,
                 s.promised_on, "已处理" if s.resolved else "") for s in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("缺货登记", ["登记日期", "客户", "产品", "型号", "订货数量", "可用", "缺货", "承诺发货日期",
                                               "状态"], rows), "shortages.xlsx")
    return render("orders/shortages.html", "list", page=paginate(stmt))


@bp.post("/shortages/<int:shortage_id>/resolve")
@role_required(*svc.DESK)
def shortage_resolve(shortage_id):
    row = db.session.get(OrderShortage, shortage_id) or abort(404)
    return _act(url_for("orders.shortages"), lambda: svc.resolve_shortage(current_user, row), _l("已标记为处理完毕"))


# ---- shipments ----------------------------------------------------------------------------------

def _qty_args(order) -> dict:
    return {ln.id: request.form.get(f"line_{ln.id}", "") for ln in order.lines}


@bp.route("/<int:order_id>/ship", methods=["GET", "POST"])
@role_required(*svc.DESK)
def ship(order_id):
    order = svc.get_or_404(current_user, order_id)
    if order.status not in SHIPPABLE:
        abort(409)
    form = ShipmentForm()
    line_errors = {}
    if request.method == "GET":
        form.method.data = order.delivery_method
    if form.validate_on_submit():
        fields = {k: form[k].data for k in ("carrier", "method", "waybill", "pieces", "tracking_phone", "promised_on",
                                            "extras")}
        try:
            shipment = ship_svc.prepare(current_user, order, _qty_args(order), fields)
        except DomainError as exc:
            line_errors = _failed(form, exc)
        else:
            commit()
            return _done(url_for("orders.shipment_detail", shipment_id=shipment.id),
                         _l("发货单 %(number)s 已登记，请另一位同事复核", number=shipment.number))
    return render("orders/ship_form.html", "form", form=form, order=order, line_errors=line_errors,
                  typed=_qty_args(order) if request.method == "POST" else {},
                  carriers=partners.carrier_names(order.customer.region_id if order.customer else None))


def _shipment_or_404(shipment_id) -> Shipment:
    ship = db.session.get(Shipment, shipment_id)
    if ship is None:
        abort(404)
    svc.get_or_404(current_user, ship.order_id)
    return ship


@bp.get("/shipments/<int:shipment_id>")
@role_required(*ROLES)
def shipment_detail(shipment_id):
    ship = _shipment_or_404(shipment_id)
    notice = NoticeForm()
    notice.to_addr.data = ship_svc.contact_email(ship)
    return render("orders/shipment.html", ship=ship, notice_form=notice, void_form=ReasonForm(),
                  preview=ship_svc.notice_text(ship)[1] if ship.status == CHECKED else "")


@bp.get("/shipments/<int:shipment_id>/print")
@role_required(*ROLES)
def shipment_print(shipment_id):
    return render("orders/shipment_print.html", ship=_shipment_or_404(shipment_id))


@bp.post("/shipments/<int:shipment_id>/check")
@role_required(*ship_svc.CHECKERS)
def shipment_check(shipment_id):
    ship = _shipment_or_404(shipment_id)
    return _act(url_for("orders.shipment_detail", shipment_id=ship.id), lambda: ship_svc.check(current_user, ship),
                _l("发货单已复核，库存已出库"))


@bp.post("/shipments/<int:shipment_id>/void")
@role_required(*ship_svc.CHECKERS, *svc.DESK)
def shipment_void(shipment_id):
    ship = _shipment_or_404(shipment_id)
    form = ReasonForm()
    form.validate_on_submit()
    return _act(url_for("orders.shipment_detail", shipment_id=ship.id),
                lambda: ship_svc.void(current_user, ship, form.reason.data), _l("发货单已作废"))


@bp.post("/shipments/<int:shipment_id>/notify")
@role_required(*svc.DESK)
def shipment_notify(shipment_id):
    ship = _shipment_or_404(shipment_id)
    form = NoticeForm()
    form.validate_on_submit()
    return _act(url_for("orders.shipment_detail", shipment_id=ship.id),
                lambda: ship_svc.notify_customer(current_user, ship, form.to_addr.data), _l("已发送发货通知"))


# ---- invoices -----------------------------------------------------------------------------------

@bp.route("/<int:order_id>/invoice", methods=["GET", "POST"])
@role_required(*svc.DESK)
def invoice_new(order_id):
    order = svc.get_or_404(current_user, order_id)
    form = InvoiceForm()
    line_errors = {}
    if request.method == "GET":
        form.content.data = "、".join(ln.product.name for ln in order.lines)[:120]
        form.recipient.data = order.consignee
    if form.validate_on_submit():
        raw, price_errors = {}, {}
        for ln in order.lines:
            text = (request.form.get(f"price_{ln.id}") or "").strip()
            price = None
            if text:
                try:
                    price = parse_amount(text)
                except ValueError as exc:
                    price_errors[f"price_{ln.id}"] = exc.args[0]
            raw[ln.id] = (request.form.get(f"qty_{ln.id}", ""), price)
        fields = {k: form[k].data for k in ("invoice_no", "content", "recipient", "mail_method", "tracking_no", "note")}
        try:
            if price_errors:
                raise InputErrors(price_errors)
            inv = inv_svc.prepare(current_user, order, raw, fields)
        except DomainError as exc:
            line_errors = _failed(form, exc)
        else:
            commit()
            return _done(url_for("orders.invoice_detail", invoice_id=inv.id),
                         _l("开票登记 %(number)s 已保存，请另一位同事复核", number=inv.number))
    return render("orders/invoice_form.html", "form", form=form, order=order, line_errors=line_errors,
                  typed=request.form if request.method == "POST" else {})


def _invoice_or_404(invoice_id) -> Invoice:
    inv = db.session.get(Invoice, invoice_id)
    if inv is None:
        abort(404)
    svc.get_or_404(current_user, inv.order_id)
    return inv


@bp.get("/invoices/<int:invoice_id>")
@role_required(*ROLES)
def invoice_detail(invoice_id):
    inv = _invoice_or_404(invoice_id)
    return render("orders/invoice.html", inv=inv, void_form=ReasonForm(),
                  wrong=inv_svc.mismatches(inv) if inv.status == TO_CHECK else [])


@bp.post("/invoices/<int:invoice_id>/check")
@role_required(*inv_svc.CHECKERS)
def invoice_check(invoice_id):
    inv = _invoice_or_404(invoice_id)
    return _act(url_for("orders.invoice_detail", invoice_id=inv.id), lambda: inv_svc.check(current_user, inv),
                _l("发票已复核，已提醒业务员催收"))


@bp.post("/invoices/<int:invoice_id>/void")
@role_required(*inv_svc.CHECKERS, *svc.DESK)
def invoice_void(invoice_id):
    inv = _invoice_or_404(invoice_id)
    form = ReasonForm()
    form.validate_on_submit()
    return _act(url_for("orders.invoice_detail", invoice_id=inv.id),
                lambda: inv_svc.void(current_user, inv, form.reason.data), _l("开票登记已作废"))


@bp.get("/invoice-summaries")
@role_required("supervisor", "finance", "manager", "director", "assistant")
def invoice_summaries():
    return render("orders/summaries.html", "list", page=paginate(inv_svc.summary_rows(current_user)))


@bp.post("/invoice-summaries/<int:summary_id>/confirm")
@role_required("supervisor", "finance")
def summary_confirm(summary_id):
    summary = db.session.get(InvoiceSummary, summary_id) or abort(404)
    return _act(url_for("orders.invoice_summaries"), lambda: inv_svc.confirm_summary(current_user, summary),
                _l("开票汇总已确认"))


# ---- payments -----------------------------------------------------------------------------------

PAY_ROLES = ("assistant", "manager", "finance", "director", "gm")


@bp.get("/payments")
@role_required(*PAY_ROLES)
def payments():
    status = request.args.get("status") if request.args.get("status") in (REGISTERED, "confirmed", "refused") else ""
    stmt = select(PaymentNotice).options(selectinload(PaymentNotice.customer)).order_by(PaymentNotice.id.desc())
    if status:
        stmt = stmt.where(PaymentNotice.status == status)
    if request.args.get("format") == "xlsx":
        rows = [(p.number, p.customer.name, p.region, str(pay_svc.PAY_TYPE_LABELS[p.pay_type]), p.bank, p.amount,
                 p.paid_on, str(pay_svc.STATUS_LABELS[p.status])) for p in db.session.scalars(stmt.limit(50000))]
        return send_workbook(workbook("款到通知", ["编号", "客户", "区域", "付款方式", "银行", "金额", "付款日期", "状态"], rows),
                             "payments.xlsx")
    return render("orders/payments.html", "list", page=paginate(stmt), f={"status": status})


@bp.route("/payments/new", methods=["GET", "POST"])
@role_required(*pay_svc.REGISTRARS)
def payment_new():
    form = PaymentForm()
    form.customer_id.choices = [("", "—")] + pinyin_choices(svc.customers_for(current_user))
    if request.method == "GET":
        form.customer_id.data = request.args.get("customer", type=int)
        form.paid_on.data = today_local()
    if form.validate_on_submit():
        upload = request.files.get("slip")
        slip = (upload.filename, upload.read()) if upload and upload.filename else None
        fields = {"customer": db.session.get(Customer, form.customer_id.data) if form.customer_id.data else None,
                  "pay_type": form.pay_type.data, "bank": form.bank.data, "amount": form.amount.amount,
                  "paid_on": form.paid_on.data}
        try:
            note = pay_svc.register(current_user, fields, slip)
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("orders.payment_detail", payment_id=note.id),
                         _l("款到通知 %(number)s 已登记，待财务确认到账", number=note.number))
    return render("orders/payment_form.html", "form", form=form)


@bp.get("/payments/<int:payment_id>")
@role_required(*PAY_ROLES)
def payment_detail(payment_id):
    note = db.session.get(PaymentNotice, payment_id) or abort(404)
    used = db.session.scalars(select(Order).where(Order.payment_id == note.id)).all()
    return render("orders/payment.html", note=note, form=DecideForm(), used=used)


@bp.get("/payments/<int:payment_id>/slip")
@role_required(*PAY_ROLES)
def payment_slip(payment_id):
    from flask import send_from_directory

    note = db.session.get(PaymentNotice, payment_id) or abort(404)
    if not note.slip_name:
        abort(404)
    return send_from_directory(pay_svc.slip_dir(), note.slip_name, as_attachment=False)


@bp.post("/payments/<int:payment_id>/decide")
@role_required(*pay_svc.CONFIRMERS)
def payment_decide(payment_id):
    note = db.session.get(PaymentNotice, payment_id) or abort(404)
    form = DecideForm()
    form.validate_on_submit()
    arrived = request.form.get("arrived") == "1"
    return _act(url_for("orders.payment_detail", payment_id=note.id),
                lambda: pay_svc.decide(current_user, note, arrived, form.comment.data),
                _l("已确认到账") if arrived else _l("已标记未到账"))


# ---- stock --------------------------------------------------------------------------------------

@bp.get("/stock")
@role_required(*stock_svc.READERS)
def stock():
    stmt = stock_svc.stock_rows()
    if request.args.get("format") == "xlsx":
        rows = [(p.code, p.name, p.spec, s.batch if s else "", s.packaging if s else "", s.on_hand if s else 0,
                 s.reserved if s else 0, s.available if s else 0) for p, s in db.session.execute(stmt)]
        return send_workbook(workbook("产品库存", ["编码", "名称", "型号", "批号", "包装", "库存", "已制单占用", "可订"], rows),
                             "stock.xlsx")
    return render("orders/stock.html", "list", rows=db.session.execute(stmt).all())


@bp.route("/stock/receive", methods=["GET", "POST"])
@role_required(*stock_svc.KEEPERS)
def receive():
    form = ReceiveForm()
    form.product_id.choices = [("", "—")] + pinyin_choices(svc.products(), lambda p: f"{p.code} {p.name} {p.spec}")
    if form.validate_on_submit():
        product = db.session.get(Product, form.product_id.data) if form.product_id.data else None
        try:
            stock_svc.receive(current_user, product, form.quantity.data, form.batch.data, form.packaging.data,
                              form.reference.data, form.note.data)
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("orders.stock"), _l("入库已登记"))
    return render("orders/receive_form.html", "form", form=form)


# ---- stock checks (盘点) ------------------------------------------------------------------------

@bp.get("/stock/counts")
@role_required(*stock_svc.READERS)
def stock_counts():
    return render("orders/counts.html", "list", page=paginate(stock_svc.counts()))


@bp.route("/stock/counts/new", methods=["GET", "POST"])
@role_required(*stock_svc.KEEPERS)
def stock_count_new():
    form = CountForm()
    rows = db.session.execute(stock_svc.stock_rows()).all()
    line_errors = {}
    if form.validate_on_submit():
        counted = {p.id: request.form.get(f"count_{p.id}", "") for p, _ in rows}
        reasons = {p.id: request.form.get(f"reason_{p.id}", "") for p, _ in rows}
        try:
            count = stock_svc.record_count(current_user, form.kind.data, counted, reasons)
        except DomainError as exc:
            line_errors = _failed(form, exc)
        else:
            commit()
            return _done(url_for("orders.stock_count_detail", count_id=count.id), _l("盘点已登记"))
    return render("orders/count_form.html", "form", form=form, rows=rows, line_errors=line_errors,
                  typed=request.form if request.method == "POST" else {})


@bp.get("/stock/counts/<int:count_id>")
@role_required(*stock_svc.READERS)
def stock_count_detail(count_id):
    count = db.session.get(StockCount, count_id) or abort(404)
    return render("orders/count.html", count=count, lines=stock_svc.count_lines(count), form=DecideForm())


@bp.post("/stock/counts/<int:count_id>/lock")
@role_required(*stock_svc.COUNT_LOCKERS)
def stock_count_lock(count_id):
    count = db.session.get(StockCount, count_id) or abort(404)
    return _act(url_for("orders.stock_count_detail", count_id=count.id),
                lambda: stock_svc.lock_count(current_user, count), _l("月末盘点已确认锁定"))


# ---- certificates (证照查验) ----------------------------------------------------------------------

def _certificate_page(cert, scan_form=None, check_form=None, status=200):
    return render("orders/certificate.html", cert=cert, scan_form=scan_form or ScanForm(),
                  check_form=check_form or CertificateCheckForm(), status=status)


@bp.get("/certificates/<int:cert_id>")
@role_required(*cert_svc.VIEWERS)
def certificate(cert_id):
    return _certificate_page(cert_svc.get_or_404(current_user, cert_id))


@bp.get("/certificates/<int:cert_id>/scan")
@role_required(*cert_svc.VIEWERS)
def certificate_scan(cert_id):
    from flask import send_from_directory

    cert = cert_svc.get_or_404(current_user, cert_id)
    if not cert.scan_name:
        abort(404)
    return send_from_directory(cert_svc.scan_dir(), cert.scan_name, as_attachment=False)


@bp.post("/certificates/<int:cert_id>/scan")
@role_required(*cert_svc.EDITORS)
def certificate_upload(cert_id):
    cert = cert_svc.get_or_404(current_user, cert_id)
    form = ScanForm()
    if form.validate_on_submit():
        upload = request.files.get("scan")
        try:
            cert_svc.upload_scan(current_user, cert, upload.filename if upload else "", upload.read() if upload else b"")
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("orders.certificate", cert_id=cert.id), _l("扫描件已上传"))
    return _certificate_page(cert, scan_form=form)


@bp.post("/certificates/<int:cert_id>/check")
@role_required(*cert_svc.VERIFIERS)
def certificate_check(cert_id):
    cert = cert_svc.get_or_404(current_user, cert_id)
    form = CertificateCheckForm()
    if form.validate_on_submit():
        try:
            cert_svc.verify(current_user, cert, form.checked_where.data, form.result.data, form.note.data)
        except DomainError as exc:
            _failed(form, exc)
        else:
            commit()
            return _done(url_for("orders.certificate", cert_id=cert.id), _l("查验记录已保存"))
    return _certificate_page(cert, check_form=form)


# ---- returns against orders (退货关联订单、换货) ---------------------------------------------------

def _return_or_404(return_id):
    from ..models.returns import ReturnRequest
    from ..services import returns as ret_svc

    doc = db.session.get(ReturnRequest, return_id)
    if doc is None or not ret_svc.can_see(current_user, doc):
        abort(404)
    return doc


@bp.get("/returns/<int:return_id>")
@role_required(*ROLES)
def return_order(return_id):
    doc = _return_or_404(return_id)
    link = order_returns.link_of(doc)
    form = ShipmentForm()
    if link is not None:
        form.method.data = link.order.delivery_method
    return render("orders/return_order.html", doc=doc, link=link, candidates=order_returns.candidates(doc),
                  limits=order_returns.exchange_limits(doc), form=form, csrf_form=DecideForm())


@bp.post("/returns/<int:return_id>/link")
@role_required(*svc.REQUESTERS)
def return_link(return_id):
    doc = _return_or_404(return_id)
    order_id = request.form.get("order_id", type=int)
    order = db.session.get(Order, order_id) if order_id else None
    url = url_for("orders.return_order", return_id=doc.id)
    if order is None or not svc.can_see(current_user, order):
        return _done(url, _l("请选择原订单"), "error")
    return _act(url, lambda: order_returns.link(current_user, doc, order), _l("退货已关联原订单"))


@bp.post("/returns/<int:return_id>/exchange")
@role_required(*svc.DESK)
def return_exchange(return_id):
    doc = _return_or_404(return_id)
    form = ShipmentForm()
    form.validate_on_submit()
    link = order_returns.link_of(doc)
    raw = _qty_args(link.order) if link else {}
    fields = {k: form[k].data for k in ("carrier", "method", "waybill", "pieces", "tracking_phone", "promised_on",
                                        "extras")}
    return _act(url_for("orders.return_order", return_id=doc.id),
                lambda: order_returns.exchange(current_user, doc, raw, fields), _l("换货发货单已登记，请另一位同事复核"))
