"""Customer archive rules: who sees which customer, duplicates, owner changes, callbacks, import."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, inspect, select, true

from ..clock import SHANGHAI, now_utc
from ..extensions import db
from ..models import Region, User
from ..models.customers import INTERACTION_KINDS, KINDS, STAGES, Certificate, Contact, Customer, Interaction
from ..web.money_input import parse_amount
from . import audit, customer_changes
from .errors import DomainError, Forbidden
from .text_rules import clean_text, column_limits

KIND_LABELS = {"distributor": _l("经销商"), "agent": _l("代理商"), "commercial": _l("商业客户"), "end_user": _l("终端")}
STAGE_LABELS = {"potential": _l("潜在"), "intended": _l("意向"), "active": _l("成交"), "dormant": _l("休眠")}
# 信息来源: where the customer came from (the seeds' channels).
LEAD_SOURCE_LABELS = {"phone": _l("来电"), "web": _l("网上咨询"), "exhibition": _l("展会"), "walk_in": _l("来访"),
                      "referral": _l("客户介绍"), "cold_call": _l("陌生拜访"), "tender": _l("招标信息"),
                      "advert": _l("广告"), "other": _l("其他")}
INTERACTION_LABELS = {"call": _l("电话"), "visit": _l("拜访"), "feedback": _l("反馈"), "complaint": _l("投诉")}

ALL_SCOPE = ("manager", "director", "gm", "assistant")
EDITORS = ("rep", "supervisor", "manager", "assistant")
OWNER_CHANGERS = ("supervisor", "manager")
IMPORTERS = ("supervisor", "manager", "assistant")
FIELDS = ("name", "kind", "stage", "region_id", "tax_id", "bank", "account", "invoice_address", "credit_limit",
          "notes", "callback_interval_days", "lead_source")


# ---- scope ------------------------------------------------------------------------

def rep_scope(user: User, column):
    """A SQL condition on a column holding a rep's user id: whose records `user` may see.

    rep: own; supervisor: reps reporting to them; leadership and the assistant: all; others: none.
    """
    if user.role == "rep":
        return column == user.id
    if user.role == "supervisor":
        return column.in_(select(User.id).where(User.reports_to_id == user.id))
    if user.role in ALL_SCOPE:
        return true()
    return false()


def can_see_rep(user: User, rep_id: int) -> bool:
    if user.role == "rep":
        return rep_id == user.id
    if user.role == "supervisor":
        rep = db.session.get(User, rep_id)
        return rep is not None and rep.reports_to_id == user.id
    return user.role in ALL_SCOPE


def visible_query(user: User):
    return select(Customer).where(rep_scope(user, Customer.owner_id))


def get_visible_or_404(user: User, customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None or not can_see_rep(user, customer.owner_id):
        abort(404)
    return customer


def assignable_owners(user: User) -> list[User]:
    """Reps a new or re-assigned customer may be given to by `user`."""
    stmt = select(User).where(User.role == "rep", User.active, rep_scope(user, User.id)).order_by(User.id)
    return list(db.session.scalars(stmt))


def filtered(user: User, q: str = "", kind: str = "", stage: str = "", region_id: int | None = None,
             owner_id: int | None = None):
    stmt = visible_query(user)
    if q:
        stmt = stmt.where(Customer.name_matches(q))
    if kind in KINDS:
        stmt = stmt.where(Customer.kind == kind)
    if stage in STAGES:
        stmt = stmt.where(Customer.stage == stage)
    if region_id:
        stmt = stmt.where(Customer.region_id == region_id)
    if owner_id:
        stmt = stmt.where(Customer.owner_id == owner_id)
    return stmt.options(db.joinedload(Customer.owner), db.joinedload(Customer.region)).order_by(Customer.id.desc())


# ---- rules ------------------------------------------------------------------------

def duplicates(name: str, exclude_id: int | None = None) -> list[Customer]:
    """Customers with the same name (ignoring spaces), whoever owns them: a warning, not a block."""
    key = (name or "").replace(" ", "").replace("\u3000", "")
    stmt = select(Customer).where(func.replace(Customer.name, " ", "") == key)
    if exclude_id:
        stmt = stmt.where(Customer.id != exclude_id)
    return list(db.session.scalars(stmt.limit(5)))


def _snapshot(c: Customer) -> dict:
    return {f: getattr(c, f) for f in FIELDS} | {"owner_id": c.owner_id}


def _check_owner(actor: User, owner: User | None) -> User:
    if actor.role == "rep":
        return actor
    if owner is None or owner.role != "rep" or owner.id not in {u.id for u in assignable_owners(actor)}:
        raise DomainError(_l("请选择负责的销售代表"), field="owner")
    return owner


def create(actor: User, owner: User | None = None, **values) -> Customer:
    if actor.role not in EDITORS:
        raise Forbidden(_l("您不能添加客户"))
    values, guarded = customer_changes.split(values)  # credit / invoicing details: four eyes
    customer = Customer(owner=_check_owner(actor, owner), **_clean(values))
    db.session.add(customer)
    db.session.flush()
    audit.record(actor, "customer.create", customer, after=_snapshot(customer))
    customer_changes.propose(actor, customer, guarded)
    return customer


def update(actor: User, customer: Customer, **values) -> Customer:
    if actor.role not in EDITORS or not can_see_rep(actor, customer.owner_id):
        raise Forbidden(_l("您不能修改该客户"))
    values, guarded = customer_changes.split(values)  # credit / invoicing details: four eyes
    before = _snapshot(customer)
    for key, value in _clean(values).items():
        setattr(customer, key, value)
    db.session.flush()
    audit.record(actor, "customer.update", customer, before=before, after=_snapshot(customer))
    customer_changes.propose(actor, customer, guarded)
    return customer


def change_owner(actor: User, customer: Customer, owner: User) -> Customer:
    if actor.role not in OWNER_CHANGERS or not can_see_rep(actor, customer.owner_id):
        raise Forbidden(_l("只有销售主管或销售经理可以变更负责人"))
    owner = _check_owner(actor, owner)
    if owner.id != customer.owner_id:
        before = {"owner": customer.owner.username}
        customer.owner = owner
        db.session.flush()
        audit.record(actor, "customer.owner", customer, before=before, after={"owner": owner.username})
    return customer


def _clean(values: dict) -> dict:
    out = {k: v for k, v in values.items() if k in FIELDS}
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise DomainError(_l("请填写客户名称"), field="name")
    if out.get("kind", "distributor") not in KINDS:
        raise DomainError(_l("客户类型不正确"), field="kind")
    if out.get("stage", "potential") not in STAGES:
        raise DomainError(_l("客户阶段不正确"), field="stage")
    if out.get("lead_source", "") not in ("", *LEAD_SOURCE_LABELS):
        raise DomainError(_l("信息来源不正确"), field="lead_source")
    days = out.get("callback_interval_days", 30)
    if not isinstance(days, int) or days < 1 or days > 365:
        raise DomainError(_l("回访周期应为 1 到 365 天"), field="callback_interval_days")
    return out


def add_contact(actor: User, customer: Customer, **values) -> Contact:
    _check_edit(actor, customer)
    if not (values.get("name") or "").strip():
        raise DomainError(_l("请填写联系人姓名"), field="name")
    contact = Contact(customer=customer, **values)
    db.session.add(contact)
    db.session.flush()
    audit.record(actor, "customer.contact.add", customer, after={"contact": contact.name})
    return contact


def add_certificate(actor: User, customer: Customer, **values) -> Certificate:
    _check_edit(actor, customer)
    if not (values.get("name") or "").strip():
        raise DomainError(_l("请填写证照名称"), field="name")
    cert = Certificate(customer=customer, **values)
    db.session.add(cert)
    db.session.flush()
    audit.record(actor, "customer.certificate.add", customer,
                 after={"certificate": cert.name, "expires_on": str(cert.expires_on or "")})
    return cert


CONTACT_FIELDS = ("name", "title", "phone", "email", "birthday")
CERTIFICATE_FIELDS = ("name", "number", "expires_on")


def _fields(obj, names) -> dict:
    return {n: str(getattr(obj, n)) if getattr(obj, n) is not None else "" for n in names}


def update_contact(actor: User, contact: Contact, **values) -> Contact:
    _check_edit(actor, contact.customer)
    if not (values.get("name") or "").strip():
        raise DomainError(_l("请填写联系人姓名"), field="name")
    before = _fields(contact, CONTACT_FIELDS)
    for name in CONTACT_FIELDS:
        if name in values:
            setattr(contact, name, values[name].strip() if isinstance(values[name], str) else values[name])
    db.session.flush()
    audit.record(actor, "customer.contact.update", contact.customer, before={"contact": before},
                 after={"contact": _fields(contact, CONTACT_FIELDS)})
    return contact


def update_certificate(actor: User, cert: Certificate, **values) -> Certificate:
    _check_edit(actor, cert.customer)
    if not (values.get("name") or "").strip():
        raise DomainError(_l("请填写证照名称"), field="name")
    before = _fields(cert, CERTIFICATE_FIELDS)
    for name in CERTIFICATE_FIELDS:
        if name in values:
            setattr(cert, name, values[name].strip() if isinstance(values[name], str) else values[name])
    db.session.flush()
    audit.record(actor, "customer.certificate.update", cert.customer, before={"certificate": before},
                 after={"certificate": _fields(cert, CERTIFICATE_FIELDS)})
    return cert


def remove_contact(actor: User, contact: Contact) -> None:
    _check_edit(actor, contact.customer)
    audit.record(actor, "customer.contact.remove", contact.customer,
                 before={"contact": contact.name, "phone": contact.phone})
    db.session.delete(contact)
    db.session.flush()


def remove_certificate(actor: User, cert: Certificate) -> None:
    _check_edit(actor, cert.customer)
    audit.record(actor, "customer.certificate.remove", cert.customer,
                 before={"certificate": cert.name, "number": cert.number, "expires_on": str(cert.expires_on or "")})
    db.session.delete(cert)
    db.session.flush()


def _check_edit(actor, customer) -> None:
    if actor.role not in EDITORS or not can_see_rep(actor, customer.owner_id):
        raise Forbidden(_l("您不能修改该客户"))


# ---- interactions and callbacks ------------------------------------------------------

def interactions(customer: Customer) -> list[Interaction]:
    stmt = (select(Interaction).where(Interaction.customer_id == customer.id)
            .options(db.joinedload(Interaction.author), db.joinedload(Interaction.assignee))
            .order_by(Interaction.at.desc(), Interaction.id.desc()))
    return list(db.session.scalars(stmt))


def log_interaction(actor: User, customer: Customer, kind: str, text: str, assignee: User | None = None,
                    deadline: date | None = None, now: datetime | None = None) -> Interaction:
    if not can_see_rep(actor, customer.owner_id) or actor.role not in EDITORS:
        raise Forbidden(_l("您不能记录该客户的往来"))
    if kind not in INTERACTION_KINDS:
        raise DomainError(_l("请选择类型"), field="kind")
    if not (text or "").strip():
        raise DomainError(_l("请填写内容"), field="text")
    now = now or now_utc()
    item = Interaction(customer=customer, kind=kind, text=text.strip(), author=actor, at=now)
    if kind == "complaint":
        if assignee is None:
            raise DomainError(_l("投诉需要指定处理人"), field="assignee")
        if deadline is None:
            raise DomainError(_l("投诉需要处理期限"), field="deadline")
        item.assignee, item.deadline = assignee, deadline
    elif kind == "feedback" and assignee is not None:
        item.assignee, item.deadline = assignee, deadline  # 反馈 routed to someone who answers it
    db.session.add(item)
    if kind in ("call", "visit"):
        # A call or visit is a contact: the callback clock starts again.
        customer.last_contact_at = now
    db.session.flush()
    audit.record(actor, f"customer.interaction.{kind}", item, after={"customer": customer.id, "text": item.text})
    if item.assignee is not None and item.assignee.id != actor.id:
        from . import notify
        from .links import link

        label = INTERACTION_LABELS[kind]
        notify.tell(f"interaction:{item.id}:assigned:u{item.assignee.id}", item.assignee,
                    str(_l("%(kind)s待处理：%(customer)s", kind=label, customer=customer.name)), item.text,
                    link("customers.detail", customer_id=customer.id))
    return item


def resolve_complaint(actor: User, item: Interaction, resolution: str, now: datetime | None = None) -> Interaction:
    if item.kind not in ("complaint", "feedback") or (item.kind == "feedback" and item.assignee_id is None):
        raise DomainError(_l("只有投诉和指定了处理人的反馈需要处理"))
    allowed = actor.id == item.assignee_id or (actor.role in OWNER_CHANGERS and can_see_rep(actor, item.customer.owner_id))
    if not allowed:
        raise Forbidden(_l("只有处理人或主管可以处理该投诉"))
    if item.resolved_at is not None:
        raise DomainError(_l("该投诉已处理"))
    if not (resolution or "").strip():
        raise DomainError(_l("请填写处理结果"), field="resolution")
    item.resolution, item.resolved_at = resolution.strip(), now or now_utc()
    db.session.flush()
    from . import notify

    notify.close_todos([f"interaction:{item.id}:", f"complaint-due:{item.id}:", f"complaint-overdue:{item.id}:"])
    audit.record(actor, "customer.complaint.resolve", item, after={"resolution": item.resolution})
    return item


def open_complaints(user: User) -> list[Interaction]:
    stmt = (select(Interaction).join(Customer, Interaction.customer_id == Customer.id)
            .where(Interaction.kind == "complaint", Interaction.resolved_at.is_(None),
                   rep_scope(user, Customer.owner_id))
            .options(db.joinedload(Interaction.customer), db.joinedload(Interaction.assignee))
            .order_by(Interaction.deadline))
    return list(db.session.scalars(stmt))


def next_callback(customer: Customer) -> date:
    since = customer.last_contact_at or customer.created_at
    return since.astimezone(SHANGHAI).date() + timedelta(days=customer.callback_interval_days)


def callbacks_due(user: User, today: date, within_days: int = 0) -> list[tuple[Customer, date]]:
    """The user's own customers whose next callback is on or before today (+ within_days), oldest first."""
    stmt = select(Customer).where(Customer.owner_id == user.id, Customer.stage != "dormant")
    due = [(c, next_callback(c)) for c in db.session.scalars(stmt)]
    return sorted([(c, d) for c, d in due if d <= today + timedelta(days=within_days)], key=lambda x: x[1])


# Certificates that expired longer ago than this were reminded and chased then (an order for such a
# customer is refused anyway); the card and the daily reminder look no further back, so they stay
# an indexed range over the recent window instead of every expiry since the company began.
EXPIRED_LOOKBACK_DAYS = 90


def expiring_certificates(today: date, days: int = 30) -> list[Certificate]:
    stmt = (select(Certificate).where(Certificate.expires_on >= today - timedelta(days=EXPIRED_LOOKBACK_DAYS),
                                      Certificate.expires_on <= today + timedelta(days=days))
            .options(db.joinedload(Certificate.customer).joinedload(Customer.owner))
            .order_by(Certificate.expires_on))
    return list(db.session.scalars(stmt))


# ---- import -------------------------------------------------------------------------

PROGRESS_EVERY = 500
IMPORT_COLUMNS = ("客户名称", "类型", "阶段", "区域", "负责人", "联系人", "电话", "税号", "信用额度", "回访周期（天）", "备注")


@dataclass
class ImportResult:
    valid: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"row": n, "name": ..., "reasons": [...]}


def parse_rows(actor: User, rows, progress=None) -> ImportResult:
    """Validate sheet rows (header excluded; row numbers as Excel shows them). Nothing is written.
    `progress(n)` is told every few hundred rows (the worker shows it on the import page)."""
    kinds = {str(v): k for k, v in KIND_LABELS.items()}
    stages = {str(v): k for k, v in STAGE_LABELS.items()}
    regions = {r.name: r.id for r in db.session.scalars(select(Region))}
    owners = {}
    for u in assignable_owners(actor) if actor.role != "rep" else [actor]:
        owners[u.username], owners[u.name] = u.id, u.id
    existing = {n.replace(" ", "") for n in db.session.scalars(select(Customer.name))}
    seen: set[str] = set()
    result = ImportResult()
    for handled, (number, raw) in enumerate(rows, start=1):
        if progress and handled % PROGRESS_EVERY == 0:
            progress(handled)
        cells = [("" if v is None else clean_text(str(v)).strip()) for v in list(raw) + [None] * len(IMPORT_COLUMNS)]
        if not any(cells[:len(IMPORT_COLUMNS)]):
            continue
        name, kind, stage, region, owner, contact, phone, tax_id, credit, interval, notes = cells[:11]
        reasons = []
        key = name.replace(" ", "")
        if not name:
            reasons.append(str(_l("缺少客户名称")))
        elif key in existing:
            reasons.append(str(_l("客户已存在")))
        elif key in seen:
            reasons.append(str(_l("表内客户名称重复")))
        if kind not in kinds:
            reasons.append(str(_l("类型应为 经销商/代理商/商业客户/终端")))
        if stage and stage not in stages:
            reasons.append(str(_l("阶段应为 潜在/意向/成交/休眠")))
        if region and region not in regions:
            reasons.append(str(_l("区域不存在：%(r)s", r=region)))
        if owner not in owners:
            reasons.append(str(_l("负责人不存在或不在您的范围内：%(o)s", o=owner)))
        reasons.extend(_too_long(name=name, contact=contact, phone=phone, tax_id=tax_id))
        amount = "0.00"
        if credit:
            try:
                amount = str(parse_amount(credit, allow_zero=True))
            except ValueError as exc:
                reasons.append(str(_l("信用额度：%(e)s", e=exc.args[0])))
        days = 30
        if interval:
            try:
                days = int(Decimal(str(interval)))  # Excel gives 30.0 for a typed 30
                if not 1 <= days <= 365:
                    raise ValueError
            except (ValueError, ArithmeticError):
                reasons.append(str(_l("回访周期应为 1 到 365 天")))
        if reasons:
            result.errors.append({"row": number, "name": name, "reasons": reasons})
            continue
        seen.add(key)
        result.valid.append({"row": number, "name": name, "kind": kinds[kind], "stage": stages.get(stage, "potential"),
                             "region_id": regions.get(region), "owner_id": owners[owner], "contact": contact,
                             "phone": phone, "tax_id": tax_id, "credit_limit": amount,
                             "callback_interval_days": days, "notes": notes})
    return result


def _too_long(**values) -> list[str]:
    """The preview refuses what the database would refuse at confirm (varchar limits)."""
    labels = {"name": _l("客户名称"), "contact": _l("联系人"), "phone": _l("电话"), "tax_id": _l("税号")}
    limits = {**column_limits(inspect(Customer).mapper),
              "contact": column_limits(inspect(Contact).mapper)["name"],
              "phone": column_limits(inspect(Contact).mapper)["phone"]}
    return [str(_l("%(field)s过长（最多 %(n)d 个字符）", field=labels[key], n=limits[key]))
            for key, value in values.items() if len(value) > limits[key]]


def import_rows(actor: User, valid: list[dict], progress=None) -> list[Customer]:
    """Save already-validated rows, re-checking what may have changed since the preview."""

    if actor.role not in IMPORTERS:
        raise Forbidden(_l("您不能导入客户"))
    allowed = {u.id for u in assignable_owners(actor)}
    existing = {n.replace(" ", "") for n in db.session.scalars(select(Customer.name))}
    created = []
    for handled, row in enumerate(valid, start=1):
        if progress and handled % PROGRESS_EVERY == 0:
            progress(handled)
        key = row["name"].replace(" ", "")
        if key in existing or row["owner_id"] not in allowed:
            continue
        existing.add(key)
        customer = Customer(name=row["name"], kind=row["kind"], stage=row["stage"], region_id=row["region_id"],
                            owner_id=row["owner_id"], tax_id=row["tax_id"], credit_limit=Decimal(row["credit_limit"]),
                            callback_interval_days=row["callback_interval_days"], notes=row["notes"])
        if row["contact"]:
            customer.contacts.append(Contact(name=row["contact"], phone=row["phone"]))
        db.session.add(customer)
        created.append(customer)
    db.session.flush()
    for customer in created:
        audit.record(actor, "customer.import", customer, after={"name": customer.name, "owner_id": customer.owner_id})
    return created
