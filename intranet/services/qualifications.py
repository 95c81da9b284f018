"""The company's own licences and qualifications (公司资质, SPEC 2.12): number, issuer, expiry date and
a scan, searchable and downloadable by every office role (they go to customers and tenders). The
keepers (the assistant, the sales manager) register them; each expiry is reminded
`qualification_remind_days` ahead of the date, once per qualification, expiry date and person —
a renewed licence (a new expiry date) is a new occasion."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from .. import clock
from ..extensions import db
from ..models import User
from ..models.office import Qualification
from . import audit, notify, settings
from .archive import ROLES, InputErrors, read_scan, store_scan
from .errors import Forbidden
from .text_rules import clean_text

EDITORS = ("assistant", "manager")


def _check_editor(actor: User) -> None:
    if actor.role not in EDITORS:
        raise Forbidden(_l("只有销售内勤或销售经理可以登记公司资质"))


def get_or_404(user: User, qual_id: int) -> Qualification:
    qual = db.session.get(Qualification, qual_id)
    if qual is None or user.role not in ROLES:
        abort(404)
    return qual


def search(q: str = ""):
    stmt = select(Qualification).order_by(Qualification.expires_on.is_(None), Qualification.expires_on,
                                          Qualification.id)
    if q:
        stmt = stmt.where(or_(*(col.contains(q, autoescape=True) for col in
                                (Qualification.name, Qualification.number, Qualification.issuer))))
    return stmt


def _text(fields, key, limit, errors, label_missing=None, label_long=None):
    value = clean_text(fields.get(key) or "").strip()
    if not value and label_missing:
        errors[key] = label_missing
    elif len(value) > limit:
        errors[key] = label_long
    return value


def save(actor: User, qual: Qualification | None, fields: dict) -> Qualification:
    _check_editor(actor)
    errors: dict = {}
    name = _text(fields, "name", 120, errors, _l("请填写资质名称"), _l("资质名称不能超过 120 个字"))
    number = _text(fields, "number", 60, errors, _l("请填写证书编号"), _l("证书编号不能超过 60 个字"))
    issuer = _text(fields, "issuer", 120, errors, _l("请填写发证机关"), _l("发证机关不能超过 120 个字"))
    expires_on = fields.get("expires_on")
    if expires_on is not None and not isinstance(expires_on, date):
        errors["expires_on"] = _l("日期格式不正确")
    if errors:
        raise InputErrors(errors)
    before = None if qual is None else {"name": qual.name, "number": qual.number, "issuer": qual.issuer,
                                        "expires_on": qual.expires_on.isoformat() if qual.expires_on else None}
    if qual is None:
        qual = Qualification(created_by_id=actor.id)
        db.session.add(qual)
    qual.name, qual.number, qual.issuer, qual.expires_on = name, number, issuer, expires_on
    db.session.flush()
    audit.record(actor, "qualification.save", qual, before=before,
                 after={"name": name, "number": number, "issuer": issuer,
                        "expires_on": expires_on.isoformat() if expires_on else None})
    return qual


def attach_scan(actor: User, qual: Qualification, filename: str, data: bytes) -> Qualification:
    """The scan of the licence (one per qualification; a new upload replaces the old)."""
    _check_editor(actor)
    fields = store_scan(f"q{qual.id}", filename, data)
    name = fields["filename"]
    before = {"name": qual.filename} if qual.filename else None
    qual.filename, qual.stored_name = name, fields["stored_name"]
    qual.content_type, qual.size = fields["content_type"], fields["size"]
    db.session.flush()
    audit.record(actor, "qualification.scan", qual, before=before, after={"name": name, "size": len(data)})
    return qual


def scan_for_download(user: User, qual: Qualification) -> bytes:
    if user.role not in ROLES:
        abort(403)
    return read_scan(qual.stored_name)


def expiring(now: datetime | None = None) -> list[Qualification]:
    """Qualifications whose expiry falls within the reminder window (or has passed)."""
    today = now.astimezone(clock.SHANGHAI).date() if now else clock.today_local()
    limit = today + timedelta(days=int(settings.get("qualification_remind_days")))
    return list(db.session.scalars(select(Qualification).where(
        Qualification.expires_on.is_not(None), Qualification.expires_on <= limit).order_by(Qualification.expires_on)))


def remind_expiring(now: datetime | None = None) -> int:
    """The keepers are reminded (to-do + email) once per qualification, expiry date and person."""
    sent = 0
    people = list(db.session.scalars(select(User).where(User.role.in_(EDITORS), User.active).order_by(User.id)))
    for qual in expiring(now):
        subject = str(_l("公司资质到期：%(name)s（%(number)s）将于 %(due)s 到期", name=qual.name, number=qual.number,
                         due=qual.expires_on.isoformat()))
        for person in people:
            key = f"qualification-expiry:{qual.id}:{qual.expires_on.isoformat()}:u{person.id}"
            notify.todo(key, person, subject, _url(qual))
            sent += int(notify.email(key, person.email, subject, subject) is not None)
    return sent


def _url(qual: Qualification) -> str:
    try:
        return url_for("office.qualification_detail", qual_id=qual.id)
    except RuntimeError:
        return f"/office/qualifications/{qual.id}"
