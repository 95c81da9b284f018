"""Orders (订货登记 → 制单, SPEC 2.9).

Rules, whatever the UI shows:
- a rep sees their own customers' orders, a supervisor the team's; manager, director, gm,
  assistant and finance see all (finance: payments and exceptions are money documents);
- no empty order (不得制做空单): a request beyond the stock is not taken; the shortfall is
  registered (缺货登记) with the date promised to the customer and reported to the supervisor;
- legality: a customer whose business licence or any certificate has expired, or whose latest
  certificate check (证照查验) found it not genuine, gets no order;
- 款未到不得在系统中制单: entering (制单) needs a confirmed payment covering the order, or the
  approved exception (written reason → sales director → finance's check); a price below the list
  price needs the manager in the same approval; entering reserves the stock under row locks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..clock import now_utc, today_local
from ..extensions import db
from ..models import ApprovalRequest, Customer, Product, User
from ..models.approvals import APPROVED as REQ_APPROVED
from ..models.approvals import PENDING as REQ_PENDING
from ..models.contracts import SIGNED, Contract
from ..models.customers import Certificate
from ..models.orders import (
    CANCELLED,
    CONFIRMED,
    DELIVERY_METHODS,
    ENTERED,
    ORDER_STATUSES,
    PARTLY_SHIPPED,
    REQUESTED,
    SHIPPED,
    Order,
    OrderLine,
    OrderShortage,
    PaymentNotice,
)
from ..web.formatting import money
from . import approvals, audit, certificates, contracts, notify, numbering, payments, stock
from .errors import AlreadyDecided, DomainError, Forbidden
from .samples import InputErrors, parse_quantity

EXCEPTION_TYPE = "order_exception"
ALL_SEEING = ("manager", "director", "gm", "assistant", "finance")
ORDER_ROLES = ("rep", "supervisor", *ALL_SEEING)
REQUESTERS = ("rep", "supervisor", "assistant", "manager")
DESK = ("assistant", "manager")  # enter orders (制单), prepare shipments and invoices

STATUS_LABELS = {REQUESTED: _l("已登记待制单"), ENTERED: _l("已制单"), PARTLY_SHIPPED: _l("部分发货"),
                 SHIPPED: _l("已发货"), CANCELLED: _l("已取消")}
METHOD_LABELS = {"logistics": _l("物流托运"), "courier": _l("快递"), "pickup": _l("客户自提"), "own": _l("送货上门")}
NEED_LABELS = {"price": _l("低于价目表价格"), "unpaid": _l("款未到先发货"), "credit": _l("超出信用额度")}


# ---- visibility -------------------------------------------------------------------------------

def _team(user: User):
    return select(User.id).where(User.reports_to_id == user.id)


def scope(user: User, column):
    if user.role in ALL_SEEING:
        return column.is_not(None)
    if user.role == "supervisor":
        return or_(column == user.id, column.in_(_team(user)))
    if user.role == "rep":
        return column == user.id
    return column.is_(None)


def can_see(user: User, order: Order) -> bool:
    if user.role in ALL_SEEING or order.rep_id == user.id:
        return True
    if user.role == "supervisor" and order.rep.reports_to_id == user.id:
        return True
    req = exception_request(order)
    return req is not None and approvals.can_view(user, req)


def get_or_404(user: User, order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or user.role not in ORDER_ROLES or not can_see(user, order):
        abort(404)
    return order


def visible(user: User):
    return select(Order).where(scope(user, Order.rep_id))


def customers_for(user: User) -> list[Customer]:
    stmt = select(Customer).order_by(Customer.name)
    if user.role in ("rep", "supervisor"):
        stmt = stmt.where(scope(user, Customer.owner_id))
    return list(db.session.scalars(stmt))


def signed_contracts(user: User, customer: Customer | None) -> list[Contract]:
    """The customer's signed contracts the user may see: what an order can be placed against."""
    if customer is None:
        return []
    return list(db.session.scalars(contracts.visible_contracts(user).where(
        Contract.customer_id == customer.id, Contract.status == SIGNED).order_by(Contract.signed_on.desc(),
                                                                                 Contract.id.desc())))


def products() -> list[Product]:
    return list(db.session.scalars(select(Product).where(Product.active).order_by(Product.code)))


# ---- legality and credit --------------------------------------------------------------------

def legality_problem(customer: Customer, day: date | None = None):
    """Why selling to this customer is not legal today (None when it is)."""
    day = day or today_local()
    certs = list(db.session.scalars(select(Certificate).where(Certificate.customer_id == customer.id)))
    if not any("营业执照" in c.name for c in certs):
        return _l("%(customer)s 没有登记营业执照，不能销售", customer=customer.name)
    for cert in certs:
        if cert.expires_on is not None and cert.expires_on < day:
            return _l("%(customer)s 的%(cert)s已于 %(day)s 过期，不能销售（确定销售行为的合法性）",
                      customer=customer.name, cert=cert.name, day=cert.expires_on.isoformat())
        if certificates.failed(cert):
            check = certificates.latest(cert)
            return _l("%(customer)s 的%(cert)s于 %(day)s 经%(where)s查验不符，不能销售", customer=customer.name,
                      cert=cert.name, day=check.checked_on.isoformat(), where=check.checked_where)
    return None


def outstanding(customer: Customer, except_order_id: int | None = None) -> Decimal:
    """What the customer owes on orders entered without payment (the credit in use)."""
    stmt = select(func.coalesce(func.sum(Order.total), 0)).where(
        Order.customer_id == customer.id, Order.payment_id.is_(None), Order.status.in_((ENTERED, PARTLY_SHIPPED,
                                                                                         SHIPPED)))
    if except_order_id:
        stmt = stmt.where(Order.id != except_order_id)
    return Decimal(db.session.scalar(stmt) or 0).quantize(Decimal("0.01"))


def open_credit(customer: Customer, except_order_id: int | None = None) -> Decimal:
    return customer.credit_limit - outstanding(customer, except_order_id)


# ---- request (订货登记) ----------------------------------------------------------------------

@dataclass
class LineInput:
    product_id: int | None
    quantity: object
    unit_price: Decimal | None
    row: int = 0
    price_error: object = None  # what the money field said about the typed price


@dataclass
class Outcome:
    """What a request ended in: the order, or (beyond stock) the shortages registered instead."""

    order: Order | None = None
    shortages: list[OrderShortage] | None = None


def _text(fields: dict, name: str, limit: int, label, required: bool = False) -> str:
    value = (fields.get(name) or "").strip()
    if required and not value:
        raise DomainError(_l("请填写%(label)s", label=label), field=name)
    if len(value) > limit:
        raise DomainError(_l("%(label)s最多 %(n)d 个字", label=label, n=limit), field=name)
    return value


def _check(actor: User, fields: dict, lines: list[LineInput]):
    errors: dict[str, object] = {}
    customer = fields.get("customer")
    if customer is None or (actor.role in ("rep", "supervisor") and not _may_order_for(actor, customer)):
        errors["customer_id"] = _l("请选择自己负责的客户")
        customer = None
    values = {}
    for name, limit, label, required in (("consignee", 60, _l("收货人"), True), ("phone", 40, _l("联系电话"), True),
                                         ("address", 200, _l("详细地址"), True), ("note", 500, _l("备注"), False)):
        try:
            values[name] = _text(fields, name, limit, label, required)
        except DomainError as exc:
            errors[name] = exc.message
    if fields.get("delivery_method") not in DELIVERY_METHODS:
        errors["delivery_method"] = _l("请选择发货方式")
    wanted_on = fields.get("wanted_on")
    if wanted_on is not None and wanted_on < today_local():
        errors["wanted_on"] = _l("要求到货日期不能早于今天")
    parsed, seen = [], set()
    for ln in lines:
        if not ln.product_id and not str(ln.quantity or "").strip():
            continue
        product = db.session.get(Product, ln.product_id) if ln.product_id else None
        if product is None or not product.active:
            errors[f"lines-{ln.row}-product_id"] = _l("请选择产品")
            continue
        if product.id in seen:
            errors[f"lines-{ln.row}-product_id"] = _l("同一产品请合并为一行")
            continue
        seen.add(product.id)
        try:
            qty = parse_quantity(ln.quantity)
        except DomainError as exc:
            errors[f"lines-{ln.row}-quantity"] = exc.message
            continue
        if ln.price_error is not None or ln.unit_price is None:
            errors[f"lines-{ln.row}-unit_price"] = ln.price_error or _l("请填写单价")
            continue
        parsed.append((ln.row, product, qty, ln.unit_price))
    if not parsed and not any(k.startswith("lines-") for k in errors):
        errors["lines"] = _l("请至少填写一行产品")
    contract_id = fields.get("contract_id")
    contract = db.session.get(Contract, contract_id) if contract_id else None
    if contract_id and contract is None:
        errors["contract_id"] = _l("请选择该客户已签订的合同")
    elif contract is not None and customer is not None:
        if contract.customer_id != customer.id:
            errors["contract_id"] = _l("合同 %(number)s 不是该客户的合同", number=contract.number)
        elif contract.status != SIGNED:
            errors["contract_id"] = _l("合同 %(number)s 尚未签订，不能据此订货", number=contract.number)
        elif not contracts.can_see(actor, contract):
            errors["contract_id"] = _l("请选择自己负责的合同")
    if customer is not None and not errors:
        problem = legality_problem(customer)
        if problem:
            errors["customer_id"] = problem
    if errors:
        raise InputErrors(errors)
    values["contract_id"] = contract.id if contract else None
    return customer, values, parsed


def _may_order_for(actor: User, customer: Customer) -> bool:
    if customer.owner_id == actor.id:
        return True
    return actor.role == "supervisor" and customer.owner.reports_to_id == actor.id


def _number(prefix: str, model) -> str:
    return numbering.monthly(prefix, model)


def shortfalls(parsed) -> dict[int, tuple[int, int]]:
    """{row: (available, shortfall)} for the lines the stock does not cover."""
    have = stock.available(p.id for _, p, _, _ in parsed)
    return {row: (have[p.id], qty - have[p.id]) for row, p, qty, _ in parsed if qty > have[p.id]}


def request(actor: User, fields: dict, lines: list[LineInput], promised_on: date | None = None) -> Outcome:
    """订货登记. Beyond stock: no order; with the promised date the shortfall is registered."""
    if actor.role not in REQUESTERS:
        raise Forbidden(_l("您不能登记订货"))
    customer, values, parsed = _check(actor, fields, lines)
    short = shortfalls(parsed)
    if short:
        errors = {f"lines-{row}-quantity": _l("库存不足：可用 %(have)d，缺 %(short)d（不得制做空单）",
                                              have=have, short=gap) for row, (have, gap) in short.items()}
        if promised_on is None:
            errors["promised_on"] = _l("超出库存：请填写向客户承诺的发货日期，登记缺货")
            raise InputErrors(errors)
        if promised_on < today_local():
            raise InputErrors({**errors, "promised_on": _l("承诺发货日期不能早于今天")})
        return Outcome(shortages=[_shortage(actor, customer, product, qty, short[row][0], promised_on)
                                  for row, product, qty, _ in parsed if row in short])
    order = Order(number=_number("DD", Order), customer_id=customer.id, rep_id=customer.owner_id,
                  status=REQUESTED, delivery_method=fields["delivery_method"], requested_on=today_local(),
                  wanted_on=fields.get("wanted_on"), created_by_id=actor.id, created_at=now_utc(), **values)
    order.customer, order.rep, order.created_by = customer, customer.owner, actor
    for _, product, qty, price in parsed:
        order.lines.append(OrderLine(product_id=product.id, product=product, spec=product.spec, quantity=qty,
                                     unit_price=price, list_price=product.list_price, amount=price * qty))
    order.total = sum((ln.amount for ln in order.lines), Decimal("0.00"))
    db.session.add(order)
    db.session.flush()
    audit.record(actor, "order.request", order, after={**snapshot(order), "contract": order.contract_id})
    for user in db.session.scalars(select(User).where(User.role == "assistant", User.active)):
        notify.todo(f"order:{order.id}:enter:u{user.id}", user,
                    str(_l("订货登记待制单：%(number)s %(customer)s", number=order.number, customer=customer.name)),
                    order_url(order))
    return Outcome(order=order)


def _shortage(actor, customer, product, wanted, have, promised_on) -> OrderShortage:
    row = OrderShortage(product_id=product.id, spec=product.spec, quantity=wanted, available=have,
                        shortfall=wanted - have, customer_id=customer.id, rep_id=customer.owner_id,
                        promised_on=promised_on, registered_on=today_local(), registered_by_id=actor.id,
                        registered_at=now_utc())
    row.product, row.customer = product, customer
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "order.shortage", row, after={"product": product.code, "wanted": wanted, "available": have,
                                                      "customer": customer.id, "promised_on": promised_on})
    boss = customer.owner.reports_to
    text = str(_l("缺货登记：%(customer)s %(product)s %(spec)s 缺 %(n)d，承诺 %(day)s 发货", customer=customer.name,
                  product=product.name, spec=product.spec, n=row.shortfall, day=promised_on.isoformat()))
    for user in {u.id: u for u in (boss, customer.owner) if u is not None}.values():
        notify.tell(f"order-shortage:{row.id}:u{user.id}", user, text, text, _shortages_url())
    return row


def register_shortage(actor: User, order: Order, promised_on: date | None) -> list[OrderShortage]:
    """The stock no longer covers a registered request: its shortfall goes to the register."""
    if actor.role not in DESK:
        raise Forbidden(_l("缺货登记由销售内勤办理"))
    if order.status != REQUESTED:
        raise AlreadyDecided(_l("%(number)s 当前状态为“%(status)s”", number=order.number,
                                status=STATUS_LABELS[order.status]))
    if promised_on is None or promised_on < today_local():
        raise DomainError(_l("请填写向客户承诺的发货日期（不早于今天）"), field="promised_on")
    parsed = [(ln.id, ln.product, ln.quantity, ln.unit_price) for ln in order.lines]
    short = shortfalls(parsed)
    if not short:
        raise AlreadyDecided(_l("库存足够，无需登记缺货"))
    return [_shortage(actor, order.customer, ln.product, ln.quantity, short[ln.id][0], promised_on)
            for ln in order.lines if ln.id in short]


def shortages(user: User):
    return (select(OrderShortage).where(scope(user, OrderShortage.rep_id))
            .order_by(OrderShortage.resolved, OrderShortage.promised_on))


def resolve_shortage(actor: User, row: OrderShortage) -> OrderShortage:
    if actor.role not in DESK:
        raise Forbidden(_l("缺货登记由销售内勤办理"))
    if row.resolved:
        raise AlreadyDecided(_l("该缺货已处理"))
    row.resolved = True
    db.session.flush()
    audit.record(actor, "order.shortage.resolve", row, after={"resolved": True})
    return row


def _shortages_url() -> str:
    try:
        return url_for("orders.shortages")
    except RuntimeError:
        return "/orders/shortages"


def snapshot(order: Order) -> dict:
    return {"number": order.number, "status": order.status, "customer": order.customer_id, "total": order.total,
            "payment": order.payment_id, "lines": [[ln.product_id, ln.quantity, ln.unit_price, ln.shipped_qty,
                                                    ln.invoiced_qty] for ln in order.lines]}


def order_url(order: Order) -> str:
    try:
        return url_for("orders.detail", order_id=order.id)
    except RuntimeError:
        return f"/orders/{order.id}"


def _set_status(actor, order: Order, status: str) -> None:
    before = order.status
    order.status = status
    audit.record(actor, "order.status", order, before={"status": before}, after={"status": status})


# ---- the exception (先发货后付款 / 低于价目 / 超信用): one approval --------------------------------

def below_list(order: Order) -> bool:
    return any(ln.unit_price < ln.list_price for ln in order.lines)


def has_payment(order: Order) -> bool:
    return bool(payments.usable_for(order))


def needs(order: Order) -> list[str]:
    """What the order needs an approval for, if it is entered now."""
    out = []
    if below_list(order):
        out.append("price")
    if not has_payment(order):
        out.append("unpaid")
        if order.total > open_credit(order.customer, order.id):
            out.append("credit")
    return out


def exception_request(order: Order) -> ApprovalRequest | None:
    return approvals.request_for(EXCEPTION_TYPE, order.id)


def exception_approved(order: Order) -> set[str]:
    req = exception_request(order)
    if req is None or req.status != REQ_APPROVED:
        return set()
    return set(filter(None, order.exception_needs.split(",")))


def ask_exception(actor: User, order: Order, reason: str) -> ApprovalRequest:
    """The written reason goes to the approval engine (manager for the price; director, then finance
    for shipping before payment or beyond the credit)."""
    if order.created_by_id != actor.id:
        raise Forbidden(_l("只有登记人可以提出申请"))
    if order.status != REQUESTED:
        raise DomainError(_l("%(number)s 已制单，不需要申请", number=order.number))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("请填写书面理由"), field="reason")
    if len(reason) > 500:
        raise DomainError(_l("书面理由最多 500 个字"), field="reason")
    wanted = needs(order)
    if not wanted:
        raise DomainError(_l("该订单款已到、价格不低于价目表，无需申请"), field="reason")
    req = exception_request(order)
    if req is not None and req.status in (REQ_PENDING, REQ_APPROVED):
        raise AlreadyDecided(_l("已经申请过"))
    order.exception_reason, order.exception_needs = reason, ",".join(wanted)
    db.session.flush()
    return approvals.submit(actor, EXCEPTION_TYPE, order)


class OrderExceptionAdapter(approvals.Adapter):
    def load(self, doc_id):
        return db.session.get(Order, doc_id)

    def title(self, doc) -> str:
        what = "、".join(str(NEED_LABELS[n]) for n in doc.exception_needs.split(",") if n in NEED_LABELS)
        return str(_l("订单特批 %(number)s · %(customer)s（%(what)s）", number=doc.number, customer=doc.customer.name,
                      what=what))

    def amount(self, doc):
        return doc.total

    def owner(self, doc):
        return doc.created_by

    def url(self, doc) -> str:
        return order_url(doc)

    def summary(self, doc):
        rows = [(_l("客户"), doc.customer.name), (_l("业务员"), doc.rep.name), (_l("金额"), money(doc.total)),
                (_l("信用额度"), money(doc.customer.credit_limit)),
                (_l("可用额度"), money(open_credit(doc.customer, doc.id))), (_l("书面理由"), doc.exception_reason)]
        rows += [(ln.product.name, f"{ln.quantity} × {money(ln.unit_price)}（价目 {money(ln.list_price)}）")
                 for ln in doc.lines]
        return rows

    def adjust_steps(self, steps, doc):
        wanted = doc.exception_needs.split(",")
        out = []
        if "price" in wanted:
            out.append(approvals.step_dict(_l("销售经理审批（低于价目）"), "role", "manager"))
        if "unpaid" in wanted or "credit" in wanted:
            out.append(approvals.step_dict(_l("销售总监签批（款未到先发货）"), "role", "director"))
            out.append(approvals.step_dict(_l("财务审核"), "role", "finance"))
        return out or steps

    def on_approved(self, doc, actor):
        for user in db.session.scalars(select(User).where(User.role == "assistant", User.active)):
            notify.todo(f"order:{doc.id}:exception-approved:u{user.id}", user,
                        str(_l("订单特批已通过，可以制单：%(number)s", number=doc.number)), order_url(doc))


ADAPTER = approvals.register(OrderExceptionAdapter(EXCEPTION_TYPE, _l("订单特批"),
                                                   [approvals.step_dict(_l("销售总监签批"), "role", "director")]))


# ---- entry (制单) -------------------------------------------------------------------------------

def _lock(order: Order) -> Order:
    return db.session.scalar(select(Order).where(Order.id == order.id).with_for_update()
                             .execution_options(populate_existing=True))


def enter(actor: User, order: Order, payment: PaymentNotice | None = None) -> Order:
    """制单: legal customer, the money confirmed (or the approved exception), and the stock reserved."""
    if actor.role not in DESK:
        raise Forbidden(_l("制单由销售内勤办理"))
    audit.lock()
    order = _lock(order)
    if order.status != REQUESTED:
        raise AlreadyDecided(_l("%(number)s 当前状态为“%(status)s”，不能制单", number=order.number,
                                status=STATUS_LABELS[order.status]))
    problem = legality_problem(order.customer)
    if problem:
        raise DomainError(problem)
    approved = exception_approved(order)
    if payment is not None:
        payment = db.session.scalar(select(PaymentNotice).where(PaymentNotice.id == payment.id).with_for_update())
        if payment.customer_id != order.customer_id or payment.status != CONFIRMED:
            raise DomainError(_l("请选择该客户已经财务确认到账的款项"), field="payment_id")
        if payments.open_amount(payment, order.id) < order.total:
            raise DomainError(_l("该笔款项余额 %(left)s，不足订单金额 %(total)s",
                                 left=money(payments.open_amount(payment, order.id)), total=money(order.total)),
                              field="payment_id")
    elif "unpaid" not in approved:
        raise DomainError(_l("款未到不得在系统中制单：请先由财务确认到账，或经销售总监书面特批"), field="payment_id")
    if below_list(order) and "price" not in approved:
        raise DomainError(_l("单价低于价目表，需销售经理审批后才能制单"))
    if payment is None and "credit" not in approved and order.total > open_credit(order.customer, order.id):
        raise DomainError(_l("超出客户可用信用额度，需销售总监审批"))
    stocks = stock.lock(ln.product_id for ln in order.lines)
    short = {f"line_{ln.id}": _l("库存不足：%(name)s 订 %(want)d，可用 %(have)d（不得制做空单）", name=ln.product.name,
                                 want=ln.quantity, have=stocks[ln.product_id].available)
             for ln in order.lines if ln.quantity > stocks[ln.product_id].available}
    if short:
        raise InputErrors(short)
    for ln in order.lines:
        stocks[ln.product_id].reserved += ln.quantity
    order.payment_id = payment.id if payment else None
    order.entered_by_id, order.entered_at, order.entered_on = actor.id, now_utc(), today_local()
    _set_status(actor, order, ENTERED)
    notify.close_todos([f"order:{order.id}:enter:", f"order:{order.id}:exception-approved:"])
    db.session.flush()
    audit.record(actor, "order.enter", order, after=snapshot(order))
    return order


def cancel(actor: User, order: Order, reason: str) -> Order:
    """A request not yet entered, or an entered order nothing of which has shipped: reservation ends."""
    if actor.role not in DESK and order.created_by_id != actor.id:
        raise Forbidden(_l("您不能取消该订单"))
    reason = (reason or "").strip()[:200]
    if not reason:
        raise DomainError(_l("请填写取消原因"), field="reason")
    audit.lock()
    order = _lock(order)
    if order.status not in (REQUESTED, ENTERED) or any(ln.shipped_qty for ln in order.lines):
        raise AlreadyDecided(_l("%(number)s 当前状态为“%(status)s”，不能取消", number=order.number,
                                status=STATUS_LABELS[order.status]))
    from .shipments import pending_qty

    if any(pending_qty(ln.id) for ln in order.lines):
        raise DomainError(_l("该订单有待复核的发货单，请先作废发货单"))
    if order.status == ENTERED:
        stocks = stock.lock(ln.product_id for ln in order.lines)
        for ln in order.lines:
            stocks[ln.product_id].reserved -= ln.quantity
    order.note = (order.note + "\n" if order.note else "") + str(_l("取消：%(r)s", r=reason))
    _set_status(actor, order, CANCELLED)
    notify.close_todos([f"order:{order.id}:"])
    db.session.flush()
    return order


# ---- for the daily sales sheet and the desk ---------------------------------------------------

@dataclass
class DayFigures:
    orders: int
    amount: Decimal
    paid: Decimal


def taken_on(rep_id: int, day: date) -> DayFigures:
    """A rep's orders entered (制单) on `day` (count, amount) and payments finance confirmed that day
    for the rep's customers — what the daily sales sheet (销售日报表) shows."""
    count, amount = db.session.execute(
        select(func.count(Order.id), func.coalesce(func.sum(Order.total), 0))
        .where(Order.rep_id == rep_id, Order.entered_on == day, Order.status != CANCELLED)).one()
    paid = db.session.scalar(select(func.coalesce(func.sum(PaymentNotice.amount), 0)).where(
        PaymentNotice.rep_id == rep_id, PaymentNotice.confirmed_on == day, PaymentNotice.status == CONFIRMED))
    q = Decimal("0.01")
    return DayFigures(int(count or 0), Decimal(amount or 0).quantize(q), Decimal(paid or 0).quantize(q))


def status_choices():
    return [(s, STATUS_LABELS[s]) for s in ORDER_STATUSES]
