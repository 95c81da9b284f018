"""The correspondence register (收发文登记, SPEC 2.12) and phone messages (电话留言).

The assistant (or the manager) registers each letter, fax, parcel, business email or call, in or
out. An incoming item is handed to the colleague who deals with it: a to-do and an email reach
them, and they acknowledge it (签收) — for a phone message, that they have called back or dealt
with it. The register shows what is still unacknowledged.
"""

from __future__ import annotations

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from .. import clock
from ..extensions import db
from ..models import User
from ..models.office import CHANNELS, DIRECTIONS, Correspondence
from . import audit, notify, numbering
from .errors import DomainError, Forbidden
from .text_rules import clean_text

REGISTRARS = ("assistant", "manager")
READERS = ("assistant", "manager", "director", "gm")
ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
DIRECTION_LABELS = {"in": _l("收文"), "out": _l("发文")}
CHANNEL_LABELS = {"letter": _l("信函"), "fax": _l("传真"), "parcel": _l("包裹"), "email": _l("业务邮件"),
                  "call": _l("电话")}


class InputErrors(DomainError):
    def __init__(self, errors: dict):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def people() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active, User.role.in_(ROLES)).order_by(User.id)))


def register(actor: User, handler: User | None, fields: dict) -> Correspondence:
    if actor.role not in REGISTRARS:
        raise Forbidden(_l("只有销售内勤或销售经理可以登记收发文"))
    errors = {}
    direction, channel = fields.get("direction"), fields.get("channel")
    counterpart = clean_text(fields.get("counterpart") or "").strip()
    subject = clean_text(fields.get("subject") or "").strip()
    phone = clean_text(fields.get("phone") or "").strip()
    day = fields.get("day")
    if direction not in DIRECTIONS:
        errors["direction"] = _l("请选择收文或发文")
    if channel not in CHANNELS:
        errors["channel"] = _l("请选择方式")
    if not counterpart:
        errors["counterpart"] = _l("请填写对方单位或来电人")
    elif len(counterpart) > 120:
        errors["counterpart"] = _l("不能超过 %(n)s 个字", n=120)
    if not subject:
        errors["subject"] = _l("请填写事由或留言内容")
    elif len(subject) > 300:
        errors["subject"] = _l("不能超过 %(n)s 个字", n=300)
    if len(phone) > 40:
        errors["phone"] = _l("不能超过 %(n)s 个字", n=40)
    if day is None:
        errors["day"] = _l("请填写日期")
    elif day > clock.today_local():
        errors["day"] = _l("日期不能晚于今天")
    if direction == "in" and (handler is None or not handler.active):
        errors["handler_id"] = _l("收文须交给经办人")
    if errors:
        raise InputErrors(errors)
    item = Correspondence(number=_next_number(direction), direction=direction, channel=channel,
                          counterpart=counterpart, phone=phone, subject=subject, day=day,
                          handler_id=handler.id if handler else None, registered_by_id=actor.id)
    item.handler = handler
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "correspondence.register", item, after={
        "number": item.number, "direction": direction, "channel": channel, "counterpart": counterpart,
        "handler": handler.username if handler else None})
    if direction == "in" and handler is not None:
        if channel == "call":
            title = str(_l("电话留言：%(who)s %(phone)s — %(text)s", who=counterpart, phone=phone, text=subject))
        else:
            title = str(_l("%(channel)s待签收：%(who)s — %(text)s", channel=CHANNEL_LABELS[channel], who=counterpart,
                           text=subject))
        notify.tell(f"correspondence:{item.id}:", handler, title[:300], title, _url(item))
    return item


def _next_number(direction: str | None) -> str:
    return numbering.next_number(Correspondence, f"{'SW' if direction == 'in' else 'FW'}{clock.today_local():%Y}-")


def can_see(user: User, item: Correspondence) -> bool:
    return user.role in READERS or item.handler_id == user.id


def get_visible_or_404(user: User, item_id: int) -> Correspondence:
    item = db.session.get(Correspondence, item_id)
    if item is None or not can_see(user, item):
        abort(404)
    return item


def visible_query(user: User, q: str = "", direction: str = "", channel: str = "", open_only: bool = False):
    stmt = select(Correspondence).order_by(Correspondence.day.desc(), Correspondence.id.desc())
    if user.role not in READERS:
        stmt = stmt.where(Correspondence.handler_id == user.id)
    if direction in DIRECTIONS:
        stmt = stmt.where(Correspondence.direction == direction)
    if channel in CHANNELS:
        stmt = stmt.where(Correspondence.channel == channel)
    if open_only:
        stmt = stmt.where(Correspondence.direction == "in", Correspondence.acknowledged_at.is_(None))
    if q:
        stmt = stmt.where(or_(Correspondence.number.contains(q, autoescape=True),
                              Correspondence.counterpart.contains(q, autoescape=True),
                              Correspondence.subject.contains(q, autoescape=True)))
    return stmt


def acknowledge(actor: User, item: Correspondence, reply: str = "") -> Correspondence:
    """The handler signs for it (签收) / marks the phone message done; once."""
    audit.lock()
    db.session.refresh(item, with_for_update=True)
    if item.handler_id != actor.id:
        raise Forbidden(_l("只有经办人可以签收"))
    if item.acknowledged_at is not None:
        raise DomainError(_l("已于 %(at)s 签收", at=f"{item.acknowledged_at.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}"))
    reply = clean_text(reply or "").strip()
    if len(reply) > 300:
        raise DomainError(_l("不能超过 %(n)s 个字", n=300), field="reply")
    item.acknowledged_at, item.reply = clock.now_utc(), reply
    db.session.flush()
    notify.close_todos([f"correspondence:{item.id}:"])
    audit.record(actor, "correspondence.ack", item, after={"number": item.number, "reply": reply})
    return item


def waiting_for(user: User) -> list[Correspondence]:
    return list(db.session.scalars(select(Correspondence).where(
        Correspondence.handler_id == user.id, Correspondence.direction == "in",
        Correspondence.acknowledged_at.is_(None)).order_by(Correspondence.id)))


def _url(item: Correspondence) -> str:
    try:
        return url_for("office.mail_detail", mail_id=item.id)
    except RuntimeError:
        return f"/office/mail/{item.id}"
