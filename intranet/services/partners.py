"""The partner register (合作单位, SPEC 2.12): carriers per region (承运公司) and the other business
partners. The assistant and the manager keep it; everyone reads it; the mailing and shipment forms
offer its active carriers (free text stays allowed)."""

from __future__ import annotations

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..extensions import db
from ..models import Region, User
from ..models.office import PARTNER_KINDS, Partner
from . import audit
from .errors import DomainError, Forbidden
from .text_rules import clean_text

EDITORS = ("assistant", "manager")
ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
KIND_LABELS = {"carrier": _l("承运公司"), "other": _l("其他合作单位")}
LIMITS = {"name": 60, "contact": 60, "phone": 40, "notes": 300}


class InputErrors(DomainError):
    def __init__(self, errors: dict):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def save(actor: User, partner: Partner | None, region: Region | None, fields: dict) -> Partner:
    if actor.role not in EDITORS:
        raise Forbidden(_l("只有销售内勤或销售经理可以维护合作单位"))
    errors, values = {}, {}
    for name, limit in LIMITS.items():
        values[name] = clean_text(fields.get(name) or "").strip()
        if len(values[name]) > limit:
            errors[name] = _l("不能超过 %(n)s 个字", n=limit)
    if not values["name"]:
        errors["name"] = _l("请填写单位名称")
    kind = fields.get("kind")
    if kind not in PARTNER_KINDS:
        errors["kind"] = _l("请选择类别")
    if errors:
        raise InputErrors(errors)
    before = None
    if partner is None:
        partner = Partner(**values, kind=kind)
        db.session.add(partner)
    else:
        before = {k: getattr(partner, k) for k in (*LIMITS, "kind", "active")}
        for k, v in values.items():
            setattr(partner, k, v)
        partner.kind = kind
    partner.region_id = region.id if region else None
    partner.active = bool(fields.get("active", True))
    db.session.flush()
    audit.record(actor, "partner.save", partner, before=before,
                 after={**values, "kind": kind, "region": region.name if region else None, "active": partner.active})
    return partner


def get_or_404(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        abort(404)
    return partner


def query(q: str = "", kind: str = "", region_id: int | None = None, active_only: bool = False):
    stmt = select(Partner).order_by(Partner.kind, Partner.name, Partner.id)
    if kind in PARTNER_KINDS:
        stmt = stmt.where(Partner.kind == kind)
    if region_id:
        stmt = stmt.where(Partner.region_id == region_id)
    if active_only:
        stmt = stmt.where(Partner.active)
    if q:
        stmt = stmt.where(or_(Partner.name.contains(q, autoescape=True), Partner.contact.contains(q, autoescape=True),
                              Partner.phone.contains(q, autoescape=True), Partner.notes.contains(q, autoescape=True)))
    return stmt


def carrier_names(region_id: int | None = None) -> list[str]:
    """Active carriers for a picker: the region's first, then the others (names unique)."""
    rows = db.session.scalars(select(Partner).where(Partner.kind == "carrier", Partner.active)
                              .order_by(Partner.name)).all()
    ordered = sorted(rows, key=lambda p: (p.region_id != region_id if region_id else 0, p.name))
    return list(dict.fromkeys(p.name for p in ordered))
