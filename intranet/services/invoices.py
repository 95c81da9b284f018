"""Invoice register (开票登记, SPEC 2.9), double review: requested against shipped lines as written
on the invoice; the check (复核, never by the preparer) refuses it unless product, unit price and
quantity equal the order's; then the reps are reminded to collect. The monthly summary per
customer goes to each region's supervisor to confirm by the 5th, then to finance to review."""

from __future__ import annotations

from decimal import Decimal

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..clock import add_months, month_bounds, month_of, now_utc, today_local
from ..extensions import db
from ..models import Region, User
from ..models.orders import CHECKED, TO_CHECK, VOID, Invoice, InvoiceLine, InvoiceSummary, Order
from ..web.formatting import money
from . import audit, double_review, notify
from .errors import AlreadyDecided, DomainError, Forbidden
from .orders import DESK, _number, order_url
from .samples import InputErrors, parse_quantity

CHECKERS = ("assistant", "manager", "director", "finance")
MAIL_METHODS = {"courier": _l("快递"), "post": _l("挂号信"), "hand": _l("业务员面交")}
STATUS_LABELS = {TO_CHECK: _l("待复核"), CHECKED: _l("已复核"), VOID: _l("已作废")}


def pending_qty(line_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(InvoiceLine.quantity), 0)).join(Invoice).where(
        Invoice.status == TO_CHECK, InvoiceLine.order_line_id == line_id)) or 0


def invoiceable(line) -> int:
    return line.shipped_qty - line.invoiced_qty - pending_qty(line.id)


def prepare(actor: User, order: Order, raw: dict[int, tuple[object, Decimal | None]], fields: dict) -> Invoice:
    """raw: {order line id: (quantity typed, unit price typed)} — kept as written, compared at the check."""
    if actor.role not in DESK:
        raise Forbidden(_l("开票由销售内勤登记"))
    errors, values = {}, {}
    for name, limit, label, required in (("invoice_no", 40, _l("发票号码"), True), ("content", 120, _l("开票内容"), True),
                                         ("recipient", 60, _l("收件人"), True), ("tracking_no", 40, _l("快递单号"), False),
                                         ("note", 200, _l("备注"), False)):
        value = (fields.get(name) or "").strip()
        if required and not value:
            errors[name] = _l("请填写%(label)s", label=label)
        elif len(value) > limit:
            errors[name] = _l("%(label)s最多 %(n)d 个字", label=label, n=limit)
        values[name] = value
    if fields.get("mail_method") not in MAIL_METHODS:
        errors["mail_method"] = _l("请选择寄送方式")
    lines = []
    for ln in order.lines:
        qty_raw, price = raw.get(ln.id, ("", None))
        try:
            qty = parse_quantity(qty_raw, allow_zero=True)
        except DomainError as exc:
            errors[f"qty_{ln.id}"] = exc.message
            continue
        if not qty:
            continue
        if qty > invoiceable(ln):
            errors[f"qty_{ln.id}"] = _l("已发货未开票的只有 %(n)d", n=invoiceable(ln))
        if price is None:
            errors[f"price_{ln.id}"] = _l("请填写单价")
            continue
        lines.append(InvoiceLine(order_line_id=ln.id, product_id=ln.product_id, quantity=qty, unit_price=price,
                                 amount=price * qty))
    if not lines and not any(k.startswith(("qty_", "price_")) for k in errors):
        errors["lines"] = _l("请至少填写一行开票数量")
    if errors:
        raise InputErrors(errors)
    audit.lock()
    inv = Invoice(number=_number("KP", Invoice), order_id=order.id, status=TO_CHECK, mail_method=fields["mail_method"],
                  amount=sum((x.amount for x in lines), Decimal("0.00")), prepared_by_id=actor.id,
                  prepared_at=now_utc(), lines=lines, **values)
    inv.order, inv.prepared_by = order, actor
    db.session.add(inv)
    db.session.flush()
    audit.record(actor, "invoice.prepare", inv, after=_snapshot(inv))
    for user in db.session.scalars(select(User).where(User.role.in_(CHECKERS), User.active, User.id != actor.id)):
        notify.todo(f"invoice-check:{inv.id}:u{user.id}", user,
                    str(_l("待复核开票：%(number)s %(customer)s", number=inv.number, customer=order.customer.name)),
                    invoice_url(inv))
    return inv


def _snapshot(inv: Invoice) -> dict:
    return {"number": inv.number, "order": inv.order_id, "status": inv.status, "invoice_no": inv.invoice_no,
            "amount": inv.amount, "lines": [[x.order_line_id, x.quantity, x.unit_price] for x in inv.lines],
            "prepared_by": inv.prepared_by_id, "checked_by": inv.checked_by_id}


def invoice_url(inv: Invoice) -> str:
    try:
        return url_for("orders.invoice_detail", invoice_id=inv.id)
    except RuntimeError:
        return f"/orders/invoices/{inv.id}"


def can_check(user: User, inv: Invoice) -> bool:
    return double_review.can_check(user, inv, CHECKERS)


def mismatches(inv: Invoice) -> list[str]:
    """What differs from the order: product, unit price, or more than shipped and not yet invoiced."""
    out = []
    for x in inv.lines:
        ln = x.order_line
        if x.product_id != ln.product_id:
            out.append(str(_l("%(name)s：产品与订单不符", name=ln.product.name)))
        if x.unit_price != ln.unit_price:
            out.append(str(_l("%(name)s：发票单价 %(a)s，订单单价 %(b)s", name=ln.product.name, a=money(x.unit_price),
                              b=money(ln.unit_price))))
        if x.quantity > ln.shipped_qty - ln.invoiced_qty:
            out.append(str(_l("%(name)s：发票数量 %(a)d，已发货未开票 %(b)d", name=ln.product.name, a=x.quantity,
                              b=ln.shipped_qty - ln.invoiced_qty)))
    return out


def check(actor: User, inv: Invoice) -> Invoice:
    inv = double_review.begin_check(actor, Invoice, inv, CHECKERS, STATUS_LABELS,
                                    _l("双人复核：经办人不能复核自己登记的发票"))
    db.session.scalar(select(Order).where(Order.id == inv.order_id).with_for_update()
                      .execution_options(populate_existing=True))
    wrong = mismatches(inv)
    if wrong:
        raise DomainError(_l("与订单不符，不能通过复核：%(what)s", what="；".join(wrong)))
    for x in inv.lines:
        x.order_line.invoiced_qty += x.quantity
    inv.status, inv.checked_by_id, inv.checked_at = CHECKED, actor.id, now_utc()
    inv.month = month_of(today_local())
    notify.close_todos([f"invoice-check:{inv.id}:"])
    rep = inv.order.rep
    text = str(_l("发票 %(no)s（%(amount)s）已寄 %(customer)s，请催收货款", no=inv.invoice_no, amount=money(inv.amount),
                  customer=inv.order.customer.name))
    notify.tell(f"invoice-collect:{inv.id}:u{rep.id}", rep, text, text, order_url(inv.order))
    db.session.flush()
    audit.record(actor, "invoice.check", inv, before={"status": TO_CHECK}, after=_snapshot(inv))
    return inv


def void(actor: User, inv: Invoice, reason: str) -> Invoice:
    inv, reason = double_review.begin_void(actor, Invoice, inv, CHECKERS, STATUS_LABELS, reason,
                                           _l("只有经办人或复核人可以作废"))
    inv.status, inv.note = VOID, (inv.note + " / " if inv.note else "") + str(_l("作废：%(r)s", r=reason))[:150]
    notify.close_todos([f"invoice-check:{inv.id}:"])
    db.session.flush()
    audit.record(actor, "invoice.void", inv, before={"status": TO_CHECK}, after=_snapshot(inv))
    return inv


# ---- the monthly summary (by the 5th) -------------------------------------------------------

def build_summaries(month: str | None = None) -> list[InvoiceSummary]:
    """Last month's checked invoices per region and customer; idempotent per (month, region)."""
    month = month or add_months(month_of(today_local()), -1)
    month_bounds(month)  # validates the month
    made = []
    for region in db.session.scalars(select(Region).order_by(Region.id)):
        if db.session.scalar(select(InvoiceSummary.id).where(InvoiceSummary.month == month,
                                                              InvoiceSummary.region_id == region.id)):
            continue
        from ..models import Customer

        rows = db.session.execute(
            select(Customer.name, func.count(Invoice.id), func.sum(Invoice.amount)).join(Order, Invoice.order_id == Order.id)
            .join(Customer, Order.customer_id == Customer.id)
            .where(Invoice.status == CHECKED, Invoice.month == month, Customer.region_id == region.id)
            .group_by(Customer.name).order_by(Customer.name)).all()
        data = [{"customer": n, "count": int(c), "amount": f"{Decimal(a):.2f}"} for n, c, a in rows]
        summary = InvoiceSummary(month=month, region_id=region.id, rows=data,
                                 total=sum((Decimal(r["amount"]) for r in data), Decimal("0.00")))
        db.session.add(summary)
        db.session.flush()
        made.append(summary)
        for boss in db.session.scalars(select(User).where(User.role == "supervisor", User.region_id == region.id,
                                                          User.active)):
            text = str(_l("%(month)s 开票汇总（%(region)s）请于 5 日前确认", month=month, region=region.name))
            notify.tell(f"invoice-summary:{summary.id}:u{boss.id}", boss, text, text, _summary_url())
    return made


def confirm_summary(actor: User, summary: InvoiceSummary) -> InvoiceSummary:
    """区域经理 confirms, then 财务 reviews."""
    if summary.status == "to_confirm":
        if actor.role != "supervisor" or actor.region_id != summary.region_id:
            raise Forbidden(_l("由本区域的区域经理确认"))
        summary.status, summary.confirmed_by_id, summary.confirmed_at = "confirmed", actor.id, now_utc()
        for user in db.session.scalars(select(User).where(User.role == "finance", User.active)):
            notify.todo(f"invoice-summary:{summary.id}:finance:u{user.id}", user,
                        str(_l("%(month)s 开票汇总待财务审核", month=summary.month)), _summary_url())
    elif summary.status == "confirmed":
        if actor.role != "finance":
            raise Forbidden(_l("由财务审核"))
        summary.status, summary.reviewed_by_id, summary.reviewed_at = "reviewed", actor.id, now_utc()
    else:
        raise AlreadyDecided(_l("该汇总已审核"))
    notify.close_todos([f"invoice-summary:{summary.id}:u{actor.id}", f"invoice-summary:{summary.id}:finance:u{actor.id}"])
    db.session.flush()
    audit.record(actor, "invoice.summary", summary, after={"status": summary.status})
    return summary


def _summary_url() -> str:
    try:
        return url_for("orders.invoice_summaries")
    except RuntimeError:
        return "/orders/invoice-summaries"


def to_invoice():
    """Orders with shipped quantity not yet invoiced."""
    from ..models.orders import OrderLine

    return (select(Order).where(Order.id.in_(select(OrderLine.order_id)
                                            .where(OrderLine.shipped_qty > OrderLine.invoiced_qty)))
            .order_by(Order.id))


def invoice_totals(inv: Invoice) -> Decimal:
    return sum((x.amount for x in inv.lines), Decimal("0.00"))


def month_invoices(month: str):
    month_bounds(month)
    return select(Invoice).where(Invoice.month == month, Invoice.status == CHECKED).order_by(Invoice.id)


def summary_rows(user: User):
    stmt = select(InvoiceSummary).order_by(InvoiceSummary.month.desc(), InvoiceSummary.region_id)
    if user.role == "supervisor":
        stmt = stmt.where(InvoiceSummary.region_id == user.region_id)
    return stmt


def region_name(region_id: int) -> str:
    region = db.session.get(Region, region_id)
    return region.name if region else ""
