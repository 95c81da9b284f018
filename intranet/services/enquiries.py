"""The enquiry register (咨询登记) and its routing (SPEC 2.1, seed 002 网络销售):

- an enquiry from a region with reps goes to the rep of that region with the fewest open enquiries
  (当有销售员的地区的企业进行网上咨询时，将该信息提供给当地业务员);
- from a region without a rep (空白地区) it stays with the assistant, who may take it up; if nobody takes
  it up within `enquiry_escalate_hours` it passes to the sales manager (谈不妥，将信息转给销售副总) —
  once: the escalation is a column written under the row lock, and the notices have unique keys;
- taken up, it becomes a customer in one step (its contact and lead source carried over).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, true

from ..clock import now_utc
from ..extensions import db
from ..models import Contact, Region, User
from ..models.enquiries import LEAD_SOURCES, Enquiry
from . import audit, notify
from . import customers as customer_rules
from . import settings as settings_service
from .errors import DomainError, Forbidden
from .links import link
from .text_rules import clean_text

STATUS_LABELS = {"new": _l("待接手"), "taken": _l("跟进中"), "converted": _l("已转客户"), "closed": _l("已关闭")}
OPEN = ("new", "taken")
REGISTRARS = ("rep", "supervisor", "manager", "director", "gm", "assistant")
ALL_SCOPE = ("manager", "director", "gm", "assistant")
TODO = "enquiry:"


def visible(user: User):
    """Everything for the department roles; otherwise what one registered or holds (a supervisor:
    also their reps')."""
    if user.role in ALL_SCOPE:
        return select(Enquiry).where(true())
    mine = or_(Enquiry.assignee_id == user.id, Enquiry.registered_by_id == user.id)
    if user.role == "supervisor":
        mine = or_(mine, customer_rules.rep_scope(user, Enquiry.assignee_id))
    return select(Enquiry).where(mine)


def get_or_404(user: User, enquiry_id: int) -> Enquiry:
    item = db.session.scalar(visible(user).where(Enquiry.id == enquiry_id))
    if item is None:
        abort(404)
    return item


def route_to(region: Region | None) -> User:
    """The rep of the region with the fewest open enquiries; without one, the assistant."""
    if region is not None:
        load = (select(func.count(Enquiry.id)).where(Enquiry.assignee_id == User.id, Enquiry.status.in_(OPEN))
                .correlate(User).scalar_subquery())
        rep = db.session.scalar(select(User).where(User.role == "rep", User.active, User.region_id == region.id)
                                .order_by(load, User.id))
        if rep is not None:
            return rep
    assistant = db.session.scalar(select(User).where(User.role == "assistant", User.active).order_by(User.id))
    if assistant is None:
        return _manager()
    return assistant


def _manager() -> User:
    manager = db.session.scalar(select(User).where(User.role == "manager", User.active).order_by(User.id))
    if manager is None:
        raise DomainError(_l("没有在职的销售经理，无法分派咨询"))
    return manager


def register(actor: User, fields: dict, now: datetime | None = None) -> Enquiry:
    if actor.role not in REGISTRARS:
        raise Forbidden(_l("您不能登记咨询"))
    values = {k: clean_text(fields.get(k) or "") for k in ("company", "contact_name", "phone", "email", "content")}
    if not values["contact_name"]:
        raise DomainError(_l("请填写咨询人"), field="contact_name")
    if not values["phone"] and not values["email"]:
        raise DomainError(_l("请留下电话或邮箱"), field="phone")
    if not values["content"]:
        raise DomainError(_l("请填写咨询内容"), field="content")
    source = fields.get("source") or ""
    if source not in LEAD_SOURCES:
        raise DomainError(_l("请选择信息来源"), field="source")
    region = db.session.get(Region, fields["region_id"]) if fields.get("region_id") else None
    assignee = route_to(region)
    item = Enquiry(received_at=now or now_utc(), source=source, region=region, registered_by=actor,
                   assignee=assignee, **values)
    db.session.add(item)
    db.session.flush()
    audit.record(actor, "enquiry.register", item, after={"company": item.company, "contact": item.contact_name,
                                                        "region": region.name if region else None,
                                                        "assignee": assignee.username})
    _tell_assignee(item)
    return item


def _tell_assignee(item: Enquiry) -> None:
    who = item.company or item.contact_name
    subject = str(_l("新咨询待跟进：%(who)s（%(region)s）", who=who,
                     region=item.region.name if item.region else _l("未分区域")))
    body = str(_l("%(who)s 咨询：%(content)s\n联系方式：%(phone)s %(email)s", who=who, content=item.content,
                  phone=item.phone, email=item.email))
    notify.tell(f"{TODO}{item.id}:u{item.assignee_id}", item.assignee, subject, body,
                link("enquiries.detail", enquiry_id=item.id))


def _locked(item: Enquiry) -> Enquiry:
    audit.lock()
    return db.session.scalar(select(Enquiry).where(Enquiry.id == item.id).with_for_update()
                             .execution_options(populate_existing=True))


def _check_holder(actor: User, item: Enquiry) -> None:
    if item.assignee_id != actor.id and actor.role not in ("manager", "assistant"):
        raise Forbidden(_l("只有被分派的人可以处理该咨询"))


def take(actor: User, item: Enquiry, now: datetime | None = None) -> Enquiry:
    """The holder takes the enquiry up (a manager or the assistant may take it over for themselves)."""
    _check_holder(actor, item)
    item = _locked(item)
    if item.status != "new":
        raise DomainError(_l("该咨询已有人接手"))
    before = item.assignee.username
    item.status, item.taken_at, item.assignee = "taken", now or now_utc(), actor
    db.session.flush()
    notify.close_todos([f"{TODO}{item.id}:"])
    audit.record(actor, "enquiry.take", item, before={"assignee": before}, after={"assignee": actor.username})
    return item


def close(actor: User, item: Enquiry, outcome: str) -> Enquiry:
    _check_holder(actor, item)
    item = _locked(item)
    if item.status not in OPEN:
        raise DomainError(_l("该咨询已处理完毕"))
    outcome = clean_text(outcome or "")
    if not outcome:
        raise DomainError(_l("请填写关闭原因"), field="outcome")
    item.status, item.outcome = "closed", outcome
    db.session.flush()
    notify.close_todos([f"{TODO}{item.id}:"])
    audit.record(actor, "enquiry.close", item, after={"outcome": outcome})
    return item


def convert(actor: User, item: Enquiry, owner: User | None = None, name: str = ""):
    """One step: the customer (potential, the enquiry's region and lead source), its contact, the link."""
    _check_holder(actor, item)
    item = _locked(item)
    if item.status not in OPEN:
        raise DomainError(_l("该咨询已处理完毕"))
    if owner is None and item.assignee.role == "rep":
        owner = item.assignee
    customer = customer_rules.create(actor, owner=owner, name=name or item.company or item.contact_name,
                                     kind="end_user", stage="potential", region_id=item.region_id,
                                     lead_source=item.source, notes=str(_l("咨询登记：%(c)s", c=item.content)))
    customer.contacts.append(Contact(name=item.contact_name, phone=item.phone, email=item.email))
    item.status, item.customer = "converted", customer
    if item.taken_at is None:
        item.taken_at = now_utc()
    db.session.flush()
    notify.close_todos([f"{TODO}{item.id}:"])
    audit.record(actor, "enquiry.convert", item, after={"customer": customer.id, "owner": customer.owner.username})
    return customer


def escalate_untaken(now: datetime | None = None) -> int:
    """Enquiries the assistant holds from a region without a rep, not taken up within the setting:
    to the sales manager, once each. Returns how many were passed on."""
    now = now or now_utc()
    cutoff = now - timedelta(hours=settings_service.get("enquiry_escalate_hours"))
    candidates = db.session.scalars(
        select(Enquiry.id).join(User, User.id == Enquiry.assignee_id)
        .where(Enquiry.status == "new", Enquiry.escalated_at.is_(None), Enquiry.received_at <= cutoff,
               User.role == "assistant")).all()
    passed = 0
    for enquiry_id in candidates:
        audit.lock()
        item = db.session.scalar(select(Enquiry).where(Enquiry.id == enquiry_id).with_for_update()
                                 .execution_options(populate_existing=True))
        if item.status != "new" or item.escalated_at is not None:
            continue  # taken or passed on meanwhile
        manager = _manager()
        before = item.assignee.username
        notify.close_todos([f"{TODO}{item.id}:u{item.assignee_id}"])
        item.assignee, item.escalated_at = manager, now
        db.session.flush()
        audit.record(None, "enquiry.escalate", item, before={"assignee": before}, after={"assignee": manager.username})
        _tell_assignee(item)
        passed += 1
    return passed


def open_for(user: User) -> list[Enquiry]:
    return list(db.session.scalars(select(Enquiry).where(Enquiry.assignee_id == user.id, Enquiry.status.in_(OPEN))
                                   .order_by(Enquiry.received_at)))


def hand_over(actor: User, leaver: User, successor: User) -> list[Enquiry]:
    """A leaver's open enquiries to their successor (part of the one-step handover)."""
    items = open_for(leaver)
    for item in items:
        notify.close_todos([f"{TODO}{item.id}:u{leaver.id}"])
        item.assignee = successor
        db.session.flush()
        _tell_assignee(item)
    return items
