"""The seal log (用印登记, SPEC 2.12): the contract seal (经济合同章) and the other seals in the
assistant's custody.

A use is requested by the person who needs the stamp and approved through the engine (route
`seal_use`, default the sales manager); only then may the custodian log it as stamped — there is
no other way to an approved entry, and the engine never lets the requester decide their own
request. Taking a seal out of the office (route `seal_out`, default the custodian then the
manager) is signed out and back by the custodian. A seal found taken without consent is recorded
as an incident, from which the taker's line manager files the violation slip (seed 004: ¥50,
¥1,000 if harm follows) through services/violations.py.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import User
from ..models.approvals import ROLE
from ..models.office import (
    APPROVED,
    DRAFT,
    PENDING,
    REJECTED,
    RETURNED,
    TAKE_OUT,
    USE,
    WITHDRAWN,
    Seal,
    SealIncident,
    SealUse,
)
from . import approvals, audit, notify, numbering, violations
from .errors import DomainError, Forbidden
from .text_rules import clean_text, whole_number

USE_TYPE, OUT_TYPE = "seal_use", "seal_out"
KEEPERS = ("assistant",)
ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant")
READERS = ("manager", "director", "gm", "assistant")  # the whole log
KIND_LABELS = {USE: _l("用印"), TAKE_OUT: _l("带离办公室")}
STATUS_LABELS = {DRAFT: _l("草稿"), PENDING: _l("审批中"), APPROVED: _l("已批准"), REJECTED: _l("已驳回"),
                 RETURNED: _l("退回修改"), WITHDRAWN: _l("已撤回")}
USE_STEPS = [approvals.step_dict(_l("销售经理审批用印"), ROLE, "manager")]
OUT_STEPS = [approvals.step_dict(_l("印章保管人同意"), ROLE, "assistant"),
             approvals.step_dict(_l("销售经理同意带离"), ROLE, "manager")]
MAX_OUT_DAYS = 7


class InputErrors(DomainError):
    def __init__(self, errors: dict):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def seals() -> list[Seal]:
    return list(db.session.scalars(select(Seal).where(Seal.active).order_by(Seal.id)))


def add_seal(actor: User, name: str) -> Seal:
    if actor.role not in KEEPERS:
        raise Forbidden(_l("只有印章保管人可以登记印章"))
    name = clean_text(name or "").strip()
    if not name:
        raise DomainError(_l("请填写印章名称"), field="name")
    seal = Seal(name=name, custodian_id=actor.id)
    db.session.add(seal)
    db.session.flush()
    audit.record(actor, "seal.add", seal, after={"name": name})
    return seal


# ---- scope ------------------------------------------------------------------------------------------

def visible_query(user: User):
    stmt = select(SealUse)
    if user.role not in READERS:
        stmt = stmt.where(SealUse.requested_by_id == user.id)
    return stmt


def get_use_or_404(user: User, use_id: int) -> SealUse:
    use = db.session.get(SealUse, use_id)
    if use is None:
        abort(404)
    req = approval_request(use)
    if not (user.role in READERS or use.requested_by_id == user.id or (req and approvals.can_view(user, req))):
        abort(404)
    return use


def approval_request(use: SealUse):
    return approvals.request_for(_type(use), use.id)


def _type(use: SealUse) -> str:
    return OUT_TYPE if use.kind == TAKE_OUT else USE_TYPE


# ---- request ------------------------------------------------------------------------------------------

def request(actor: User, seal: Seal | None, fields: dict) -> SealUse:
    """File and submit a use (or a removal) for approval."""
    if actor.role not in ROLES:
        raise Forbidden(_l("您的岗位不能申请用印"))
    errors = {}
    kind = fields.get("kind") if fields.get("kind") in KIND_LABELS else None
    document = clean_text(fields.get("document") or "").strip()
    purpose = clean_text(fields.get("purpose") or "").strip()
    copies = whole_number(fields.get("copies") or "1")
    due_back = fields.get("due_back")
    if seal is None or not seal.active:
        errors["seal_id"] = _l("请选择印章")
    if kind is None:
        errors["kind"] = _l("请选择用印或带离")
    if not document:
        errors["document"] = _l("请填写用印文件名称")
    elif len(document) > 200:
        errors["document"] = _l("文件名称不能超过 200 个字")
    if not purpose:
        errors["purpose"] = _l("请填写用途")
    elif len(purpose) > 300:
        errors["purpose"] = _l("用途不能超过 300 个字")
    if copies is None or copies < 1 or copies > 999:
        errors["copies"] = _l("份数应为 1 到 999 的整数")
    if kind == TAKE_OUT:
        today = clock.today_local()
        if due_back is None:
            errors["due_back"] = _l("带离办公室须填写归还日期")
        elif due_back < today or due_back > today + timedelta(days=MAX_OUT_DAYS):
            errors["due_back"] = _l("归还日期应在今天起 %(n)s 天内", n=MAX_OUT_DAYS)
    if errors:
        raise InputErrors(errors)
    use = SealUse(number=_next_number(), seal_id=seal.id, kind=kind, document=document, purpose=purpose,
                  copies=copies, requested_by_id=actor.id, due_back=due_back if kind == TAKE_OUT else None)
    use.seal, use.requested_by = seal, actor
    db.session.add(use)
    db.session.flush()
    audit.record(actor, "seal.request", use, after={"seal": seal.name, "kind": kind, "document": document,
                                                    "copies": copies})
    approvals.submit(actor, _type(use), use)
    return use


def _next_number() -> str:
    return numbering.next_number(SealUse, f"YY{clock.today_local():%Y%m}-", width=3)


# ---- the custodian's log ------------------------------------------------------------------------------

def _locked(use: SealUse) -> SealUse:
    audit.lock()
    db.session.refresh(use, with_for_update=True)
    return use


def _check_keeper(actor: User) -> None:
    if actor.role not in KEEPERS:
        raise Forbidden(_l("只有印章保管人（销售内勤）可以登记"))


def log_stamped(actor: User, use: SealUse) -> SealUse:
    """The custodian stamps the document: only an approved use, only once."""
    _check_keeper(actor)
    use = _locked(use)
    if use.kind != USE:
        raise DomainError(_l("带离申请请办理借出和归还"))
    if use.status != APPROVED:
        raise DomainError(_l("用印申请尚未批准（当前：%(status)s），不能登记用印", status=STATUS_LABELS[use.status]))
    if use.stamped_at is not None:
        raise DomainError(_l("该用印已登记"))
    use.stamped_at, use.stamped_by_id = clock.now_utc(), actor.id
    db.session.flush()
    audit.record(actor, "seal.stamped", use, after={"number": use.number, "seal": use.seal.name,
                                                    "copies": use.copies})
    return use


def sign_out(actor: User, use: SealUse) -> SealUse:
    _check_keeper(actor)
    use = _locked(use)
    if use.kind != TAKE_OUT:
        raise DomainError(_l("这是用印申请，不是带离申请"))
    if use.status != APPROVED:
        raise DomainError(_l("带离申请尚未获保管人和销售经理同意，不能借出"))
    if use.out_at is not None:
        raise DomainError(_l("该印章已按此申请借出"))
    seal = db.session.scalar(select(Seal).where(Seal.id == use.seal_id).with_for_update())
    if seal.out:
        raise DomainError(_l("印章“%(name)s”已带离办公室，尚未归还", name=seal.name))
    seal.out, use.out_at = True, clock.now_utc()
    db.session.flush()
    audit.record(actor, "seal.out", use, after={"seal": seal.name, "to": use.requested_by.username,
                                                "due_back": use.due_back})
    return use


def sign_back(actor: User, use: SealUse) -> SealUse:
    _check_keeper(actor)
    use = _locked(use)
    if use.out_at is None or use.back_at is not None:
        raise DomainError(_l("该印章不在借出状态"))
    seal = db.session.scalar(select(Seal).where(Seal.id == use.seal_id).with_for_update())
    seal.out, use.back_at = False, clock.now_utc()
    db.session.flush()
    audit.record(actor, "seal.back", use, after={"seal": seal.name})
    return use


# ---- unauthorised removal --------------------------------------------------------------------------------

def report_removal(actor: User, seal: Seal | None, taker: User | None, day: date | None, note: str) -> SealIncident:
    _check_keeper(actor)
    errors = {}
    note = clean_text(note or "").strip()
    if seal is None:
        errors["seal_id"] = _l("请选择印章")
    if taker is None:
        errors["taken_by_id"] = _l("请选择带离人")
    if day is None:
        errors["day"] = _l("请填写发生日期")
    elif day > clock.today_local():
        errors["day"] = _l("发生日期不能晚于今天")
    if not note:
        errors["note"] = _l("请填写经过")
    if errors:
        raise InputErrors(errors)
    incident = SealIncident(seal_id=seal.id, taken_by_id=taker.id, day=day, note=note, reported_by_id=actor.id)
    incident.seal, incident.taken_by = seal, taker
    db.session.add(incident)
    db.session.flush()
    audit.record(actor, "seal.incident", incident, after={"seal": seal.name, "taker": taker.username, "day": day})
    boss = taker.reports_to
    if boss is not None:
        subject = str(_l("未经同意带离印章：%(seal)s（%(name)s，%(day)s），请填写过失单", seal=seal.name, name=taker.name,
                         day=day.isoformat()))
        notify.tell(f"seal-incident:{incident.id}:", boss, subject, subject, _seals_url())
    return incident


def get_incident_or_404(user: User, incident_id: int) -> SealIncident:
    incident = db.session.get(SealIncident, incident_id)
    if incident is None or not (user.role in READERS or incident.taken_by.reports_to_id == user.id):
        abort(404)
    return incident


def incidents(user: User) -> list[SealIncident]:
    stmt = select(SealIncident).order_by(SealIncident.id.desc()).limit(50)
    if user.role not in READERS:
        stmt = stmt.where(SealIncident.taken_by_id.in_(select(User.id).where(User.reports_to_id == user.id)))
    return list(db.session.scalars(stmt))


def file_violation(actor: User, incident: SealIncident, harm: bool = False):
    """The taker's line manager files the slip (rule seal_out ¥50, or seal_harm ¥1,000)."""
    audit.lock()
    db.session.refresh(incident, with_for_update=True)
    if incident.violation_id is not None:
        raise DomainError(_l("已为此事填写过失单"))
    slip = violations.file(actor, incident.taken_by, {
        "rule": "seal_harm" if harm else "seal_out", "day": incident.day,
        "evidence": str(_l("用印登记：%(seal)s 于 %(day)s 被带离办公室。%(note)s", seal=incident.seal.name,
                           day=incident.day.isoformat(), note=incident.note))})
    incident.violation_id = slip.id
    db.session.flush()
    notify.close_todos([f"seal-incident:{incident.id}:"])
    return slip


def _seals_url() -> str:
    try:
        return url_for("office.seal_log")
    except RuntimeError:
        return "/office/seals"


# ---- the approval adapters -------------------------------------------------------------------------------

class SealAdapter(approvals.Adapter):
    def load(self, doc_id):
        return db.session.get(SealUse, doc_id)

    def title(self, doc) -> str:
        return str(_l("%(kind)s %(seal)s：%(document)s ×%(copies)s（%(name)s）", kind=KIND_LABELS[doc.kind],
                      seal=doc.seal.name, document=doc.document, copies=doc.copies, name=doc.requested_by.name))

    def owner(self, doc):
        return doc.requested_by

    def url(self, doc) -> str:
        try:
            return url_for("office.seal_use", use_id=doc.id)
        except RuntimeError:
            return f"/office/seals/uses/{doc.id}"

    def summary(self, doc):
        rows = [(_l("印章"), doc.seal.name), (_l("类型"), KIND_LABELS[doc.kind]), (_l("文件"), doc.document),
                (_l("用途"), doc.purpose), (_l("份数"), str(doc.copies)), (_l("申请人"), doc.requested_by.name)]
        if doc.due_back:
            rows.append((_l("归还日期"), doc.due_back.isoformat()))
        return rows

    def adjust_steps(self, steps, doc):
        # the custodian's own removal: nobody else holds her step; the manager still decides
        return [s for s in steps if not (s["approver_kind"] == ROLE and s.get("role") == "assistant"
                                         and doc.requested_by.role == "assistant")] or steps

    def on_submitted(self, doc, actor):
        _set_status(actor, doc, PENDING)

    def on_approved(self, doc, actor):
        doc.approved_at = clock.now_utc()
        _set_status(actor, doc, APPROVED)

    def on_rejected(self, doc, actor, comment):
        _set_status(actor, doc, REJECTED)

    def on_returned(self, doc, actor, comment):
        _set_status(actor, doc, RETURNED)

    def on_withdrawn(self, doc, actor):
        _set_status(actor, doc, WITHDRAWN)


def _set_status(actor, doc, status) -> None:
    before, doc.status = doc.status, status
    audit.record(actor, "seal.status", doc, before={"status": before}, after={"status": status})


USE_ADAPTER = approvals.register(SealAdapter(USE_TYPE, _l("用印申请"), default_steps=USE_STEPS))
OUT_ADAPTER = approvals.register(SealAdapter(OUT_TYPE, _l("印章带离申请"), default_steps=OUT_STEPS))
