"""The mailing register (寄件登记, SPEC 2.5): what was sent to a customer, how, with which tracking
number and cost; then received (查收) and verified (核实). The cost may be paid from the
petty-cash box: the ledger entry references the mailing and the mailing links the entry.
Sendings not confirmed after `mailing_unconfirmed_days` days are reminded once each (定时查件)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..clock import SHANGHAI, month_of, today_local
from ..extensions import db
from ..models import Customer, User
from ..models.samples import CONFIRMED, METHODS, RECEIVED, SENT, Mailing, SampleRequest
from . import audit, ledger, notify
from . import samples as samples_svc
from . import settings as company_settings
from .errors import DomainError, Forbidden
from .samples import InputErrors, rep_scope

REGISTRARS = ("assistant",)
METHOD_LABELS = {"courier": _l("快递"), "freight": _l("物流"), "hand": _l("面交")}
STATUS_LABELS = {SENT: _l("已寄出"), RECEIVED: _l("已查收"), CONFIRMED: _l("已核实")}
TRACKING = re.compile(r"^[A-Za-z0-9\-]{4,40}$")
LIMITS = {"contents": (200, _l("寄件内容")), "carrier": (60, _l("承运公司")), "recipient": (60, _l("收件人")),
          "phone": (30, _l("联系电话")), "address": (200, _l("收件地址"))}


def visible_query(user: User):
    return select(Mailing).where(rep_scope(user, Mailing.rep_id))


def get_visible_or_404(user: User, mailing_id: int) -> Mailing:
    row = db.session.get(Mailing, mailing_id)
    if row is None or user.role not in samples_svc.SAMPLE_ROLES:
        abort(404)
    if user.role not in samples_svc.ALL_SEEING and not samples_svc.can_see_rep(user, row.rep):
        abort(404)
    return row


def _check(fields: dict) -> dict:
    errors, out = {}, {}
    for name, (limit, label) in LIMITS.items():
        value = (fields.get(name) or "").strip()
        if name in ("contents", "recipient") and not value:
            errors[name] = _l("请填写%(label)s", label=label)
        elif len(value) > limit:
            errors[name] = _l("%(label)s最多 %(n)d 个字", label=label, n=limit)
        out[name] = value
    method = fields.get("method")
    if method not in METHODS:
        errors["method"] = _l("请选择寄送方式")
    tracking = (fields.get("tracking_no") or "").strip()
    if method in ("courier", "freight"):
        if not out["carrier"] and "carrier" not in errors:
            errors["carrier"] = _l("快递或物流请填写承运公司")
        if not tracking:
            errors["tracking_no"] = _l("快递或物流请填写运单号")
        elif not TRACKING.match(tracking):
            errors["tracking_no"] = _l("运单号应为 4–40 位字母、数字或连字符")
    elif tracking and not TRACKING.match(tracking):
        errors["tracking_no"] = _l("运单号应为 4–40 位字母、数字或连字符")
    out["tracking_no"] = tracking
    sent_on = fields.get("sent_on")
    if not isinstance(sent_on, date):
        errors["sent_on"] = _l("请填写寄出日期")
    elif sent_on > today_local():
        errors["sent_on"] = _l("寄出日期不能晚于今天")
    elif sent_on < today_local() - timedelta(days=366):
        errors["sent_on"] = _l("寄出日期太早")
    cost = fields.get("cost")
    if cost is None:
        cost = Decimal("0.00")
    if fields.get("pay_from_petty_cash") and cost <= 0:
        errors["cost"] = _l("从备用金支付时请填写费用")
    if errors:
        raise InputErrors(errors)
    return {**out, "method": method, "sent_on": sent_on, "cost": cost}


def _target(actor: User, fields: dict) -> tuple[SampleRequest | None, Customer | None]:
    request = customer = None
    if fields.get("request_id"):
        request = db.session.get(SampleRequest, fields["request_id"])
        if request is None:
            raise DomainError(_l("领用申请不存在"), field="request_id")
        if request.customer_id:
            customer = db.session.get(Customer, request.customer_id)
    if fields.get("customer_id"):
        customer = db.session.get(Customer, fields["customer_id"])
        if customer is None:
            raise DomainError(_l("请选择客户"), field="customer_id")
    if customer is None:
        raise DomainError(_l("请选择客户（或从领用申请寄出）"), field="customer_id")
    return request, customer


def register(actor: User, fields: dict) -> Mailing:
    """寄件登记 by the assistant; with `pay_from_petty_cash` the cost is paid from their box now."""
    if actor.role not in REGISTRARS:
        raise Forbidden(_l("寄件由销售内勤登记"))
    data = _check(fields)
    request, customer = _target(actor, fields)
    row = Mailing(request_id=request.id if request else None, customer_id=customer.id, customer_name=customer.name,
                  rep_id=request.rep_id if request else customer.owner_id, registered_by_id=actor.id,
                  month=month_of(data["sent_on"]), status=SENT, **data)
    row.number = samples_svc._number("JJ", Mailing, row.month)
    db.session.add(row)
    db.session.flush()
    if fields.get("pay_from_petty_cash"):
        _pay(actor, row)
    audit.record(actor, "mailing.register", row, after=snapshot(row))
    return row


def _pay(actor: User, row: Mailing) -> None:
    category = "sample_postage" if row.request_id else "courier"
    memo = str(_l("寄件 %(number)s %(customer)s %(carrier)s %(no)s", number=row.number, customer=row.customer_name,
                  carrier=row.carrier, no=row.tracking_no)).strip()
    try:
        entry = ledger.disburse(actor, ledger.account_for(actor), row.cost, category, memo[:200],
                                ref_type="mailing", ref_id=row.id, entry_date=row.sent_on)
    except DomainError as exc:
        raise DomainError(exc.message, field="cost") from None
    row.ledger_entry_id = entry.id


def snapshot(row: Mailing) -> dict:
    return {k: getattr(row, k) for k in ("number", "customer_name", "contents", "method", "carrier", "tracking_no",
                                         "sent_on", "cost", "recipient", "address", "status", "received_on",
                                         "confirmed_on", "ledger_entry_id")}


def can_receive(user: User, row: Mailing) -> bool:
    return row.status == SENT and (user.role in REGISTRARS or user.id == row.rep_id)


def can_confirm(user: User, row: Mailing) -> bool:
    return row.status == RECEIVED and user.role in REGISTRARS


def _day(value, field: str, not_before: date) -> date:
    if not isinstance(value, date):
        raise DomainError(_l("请填写日期"), field=field)
    if value > today_local():
        raise DomainError(_l("日期不能晚于今天"), field=field)
    if value < not_before:
        raise DomainError(_l("日期不能早于 %(day)s", day=not_before.isoformat()), field=field)
    return value


def mark_received(actor: User, row: Mailing, on: date | None) -> Mailing:
    """查收: the customer has it (the assistant checked the tracking, or the rep heard from the customer)."""
    if not can_receive(actor, row):
        raise DomainError(_l("该寄件当前状态为“%(status)s”，不能登记查收", status=STATUS_LABELS[row.status]))
    row.received_on = _day(on, "on", row.sent_on)
    row.status = RECEIVED
    db.session.flush()
    audit.record(actor, "mailing.received", row, before={"status": SENT}, after=snapshot(row))
    return row


def confirm(actor: User, row: Mailing, on: date | None) -> Mailing:
    """核实: the assistant verified with the customer that contents and quantity are right."""
    if not can_confirm(actor, row):
        raise DomainError(_l("该寄件当前状态为“%(status)s”，不能核实", status=STATUS_LABELS[row.status]))
    row.confirmed_on = _day(on, "on", row.received_on)
    row.confirmed_by_id = actor.id
    row.status = CONFIRMED
    samples_svc.close_todos(f"mailing-unconfirmed:{row.id}:")
    db.session.flush()
    audit.record(actor, "mailing.confirmed", row, before={"status": RECEIVED}, after=snapshot(row))
    return row


def register_rows(user: User, month: str, rep_id: int | None = None, customer_id: int | None = None) -> list[Mailing]:
    stmt = (visible_query(user).where(Mailing.month == month).options(selectinload(Mailing.rep))
            .order_by(Mailing.sent_on, Mailing.id))
    if rep_id:
        stmt = stmt.where(Mailing.rep_id == rep_id)
    if customer_id:
        stmt = stmt.where(Mailing.customer_id == customer_id)
    return list(db.session.scalars(stmt))


def overdue(now: datetime | None = None) -> list[Mailing]:
    """Sent more than N days ago and not yet confirmed."""
    today = (now.astimezone(SHANGHAI).date() if now else today_local())
    days = company_settings.get("mailing_unconfirmed_days")
    return list(db.session.scalars(select(Mailing).where(Mailing.status != CONFIRMED,
                                                         Mailing.sent_on <= today - timedelta(days=days))
                                   .order_by(Mailing.sent_on)))


def remind_unconfirmed(now: datetime | None = None) -> int:
    """Once per mailing (the key has no date): a second run, or the next day, reminds nobody again."""
    sent = 0
    assistants = list(db.session.scalars(select(User).where(User.role.in_(REGISTRARS), User.active)))
    for row in overdue(now):
        subject = str(_l("寄件未确认：%(number)s %(customer)s（%(date)s 寄出）", number=row.number,
                         customer=row.customer_name, date=row.sent_on.isoformat()))
        for user in assistants:
            key = f"mailing-unconfirmed:{row.id}:u{user.id}"
            notify.todo(key, user, subject, _url(row))
            sent += int(notify.email(key, user.email, subject, subject) is not None)
    return sent


def _url(row: Mailing) -> str:
    try:
        return url_for("samples.mailing_detail", mailing_id=row.id)
    except RuntimeError:
        return f"/samples/mailings/{row.id}"
