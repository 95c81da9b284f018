"""Notices, policies and company documents (通知、制度、公司文件, SPEC 2.12), circulated for reading
(阅) and, where asked, the leaders' signature (批).

The issuer picks people and/or roles; each recipient gets a to-do and an email, reads and
acknowledges; the register shows exactly who has not. Every acknowledgement and signature is an
audit entry. Policies and company documents form the library every member of staff may search;
a notice is seen by its issuer, its recipients and the department leaders.
"""

from __future__ import annotations

from flask import abort, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from .. import clock
from ..extensions import db
from ..models import User
from ..models.office import NOTICE_KINDS, Notice, NoticeFile, NoticeRecipient
from . import audit, notify, numbering
from .errors import DomainError, Forbidden
from .text_rules import clean_text

ISSUERS = ("manager", "director", "gm", "assistant")
LEADERS = ("manager", "director", "gm")
ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
LIBRARY = ("policy", "company")
KIND_LABELS = {"notice": _l("通知"), "policy": _l("规章制度"), "company": _l("公司文件")}


class InputErrors(DomainError):
    def __init__(self, errors: dict):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


def people() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active, User.role.in_(ROLES)).order_by(User.id)))


def circulate(actor: User, fields: dict) -> Notice:
    """fields: kind, title, body, user_ids, roles, sign_ids (those who must sign, 批)."""
    if actor.role not in ISSUERS:
        raise Forbidden(_l("您的岗位不能发布通知"))
    errors = {}
    title = clean_text(fields.get("title") or "").strip()
    body = clean_text(fields.get("body") or "").strip()
    if fields.get("kind") not in NOTICE_KINDS:
        errors["kind"] = _l("请选择类别")
    if not title:
        errors["title"] = _l("请填写标题")
    elif len(title) > 120:
        errors["title"] = _l("标题不能超过 120 个字")
    if not body:
        errors["body"] = _l("请填写正文")
    elif len(body) > 20000:
        errors["body"] = _l("正文不能超过 20000 个字")
    active = {u.id: u for u in people()}
    roles = {r for r in fields.get("roles") or () if r in ROLES}
    chosen = {i for i in fields.get("user_ids") or () if i in active}
    chosen |= {u.id for u in active.values() if u.role in roles}
    chosen.discard(actor.id)
    signers = {i for i in fields.get("sign_ids") or () if i in active and active[i].role in LEADERS} - {actor.id}
    chosen |= signers
    if not chosen:
        errors["user_ids"] = _l("请选择传阅对象（人员或岗位）")
    if errors:
        raise InputErrors(errors)
    notice = Notice(number=_next_number(), kind=fields["kind"], title=title, body=body, issued_by_id=actor.id,
                    issued_at=clock.now_utc())
    notice.issued_by = actor
    db.session.add(notice)
    db.session.flush()
    for user_id in sorted(chosen):
        db.session.add(NoticeRecipient(notice_id=notice.id, user_id=user_id, must_sign=user_id in signers))
    db.session.flush()
    audit.record(actor, "notice.circulate", notice, after={
        "number": notice.number, "title": title, "to": sorted(active[i].username for i in chosen),
        "sign": sorted(active[i].username for i in signers)})
    link = _url(notice)
    for user_id in sorted(chosen):
        person = active[user_id]
        verb = _l("请阅批") if user_id in signers else _l("请阅")
        subject = str(_l("%(kind)s%(verb)s：%(title)s", kind=KIND_LABELS[notice.kind], verb=verb, title=title))
        notify.tell(f"notice:{notice.id}:u{user_id}:", person, subject, f"{subject}\n\n{body[:2000]}", link)
    return notice


def _next_number() -> str:
    return numbering.next_number(Notice, f"TZ{clock.today_local():%Y}-")


def _url(notice: Notice) -> str:
    try:
        return url_for("office.notice_detail", notice_id=notice.id)
    except RuntimeError:
        return f"/office/notices/{notice.id}"


# ---- scope -----------------------------------------------------------------------------------------------

def recipient(user: User, notice: Notice) -> NoticeRecipient | None:
    return db.session.scalar(select(NoticeRecipient).where(NoticeRecipient.notice_id == notice.id,
                                                           NoticeRecipient.user_id == user.id))


def can_see(user: User, notice: Notice) -> bool:
    return (notice.kind in LIBRARY or user.role in LEADERS or user.role == "assistant"
            or notice.issued_by_id == user.id or recipient(user, notice) is not None)


def can_see_register(user: User, notice: Notice) -> bool:
    """Who has read it and who has not: the issuer and the leaders."""
    return notice.issued_by_id == user.id or user.role in LEADERS or user.role == "assistant"


def get_visible_or_404(user: User, notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None or user.role not in ROLES or not can_see(user, notice):
        abort(404)
    return notice


def visible_query(user: User, q: str = "", kind: str = "", unread_only: bool = False):
    stmt = select(Notice).order_by(Notice.issued_at.desc(), Notice.id.desc())
    if not (user.role in LEADERS or user.role == "assistant"):
        mine = select(NoticeRecipient.notice_id).where(NoticeRecipient.user_id == user.id)
        stmt = stmt.where(or_(Notice.kind.in_(LIBRARY), Notice.issued_by_id == user.id, Notice.id.in_(mine)))
    if kind in NOTICE_KINDS:
        stmt = stmt.where(Notice.kind == kind)
    if q:
        stmt = stmt.where(or_(Notice.title.contains(q, autoescape=True), Notice.body.contains(q, autoescape=True),
                              Notice.number.contains(q, autoescape=True)))
    if unread_only:
        stmt = stmt.where(Notice.id.in_(select(NoticeRecipient.notice_id).where(
            NoticeRecipient.user_id == user.id, NoticeRecipient.read_at.is_(None))))
    return stmt


def unread(notice: Notice) -> list[NoticeRecipient]:
    return [r for r in notice.recipients if r.read_at is None]


def unsigned(notice: Notice) -> list[NoticeRecipient]:
    return [r for r in notice.recipients if r.must_sign and r.signed_at is None]


def waiting_for(user: User) -> list[NoticeRecipient]:
    """What the user still has to read or sign (their desk)."""
    return list(db.session.scalars(select(NoticeRecipient).join(Notice).where(
        NoticeRecipient.user_id == user.id,
        or_(NoticeRecipient.read_at.is_(None), NoticeRecipient.must_sign & NoticeRecipient.signed_at.is_(None)))
        .options(contains_eager(NoticeRecipient.notice))  # one query, not one per notice shown
        .order_by(Notice.issued_at.desc())))


# ---- 阅 and 批 --------------------------------------------------------------------------------------------

def _locked_row(user: User, notice: Notice) -> NoticeRecipient:
    row = recipient(user, notice)
    if row is None:
        raise Forbidden(_l("您不在该通知的传阅范围内"))
    audit.lock()
    db.session.refresh(row, with_for_update=True)
    return row


def acknowledge(actor: User, notice: Notice) -> NoticeRecipient:
    row = _locked_row(actor, notice)
    if row.read_at is not None:
        raise DomainError(_l("您已于 %(at)s 阅读确认", at=f"{row.read_at.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}"))
    row.read_at = clock.now_utc()
    db.session.flush()
    audit.record(actor, "notice.read", row, after={"notice": notice.number, "user": actor.username})
    if not row.must_sign:
        notify.close_todos([f"notice:{notice.id}:u{actor.id}:"])
    return row


def sign(actor: User, notice: Notice, comment: str) -> NoticeRecipient:
    row = _locked_row(actor, notice)
    comment = clean_text(comment or "").strip()
    if not row.must_sign:
        raise DomainError(_l("该通知未请您批示"))
    if row.signed_at is not None:
        raise DomainError(_l("您已批示"))
    if len(comment) > 300:
        raise DomainError(_l("批示意见不能超过 300 个字"), field="comment")
    now = clock.now_utc()
    row.read_at = row.read_at or now
    row.signed_at, row.comment = now, comment or str(_l("已阅"))
    db.session.flush()
    audit.record(actor, "notice.sign", row, after={"notice": notice.number, "user": actor.username,
                                                   "comment": row.comment})
    notify.close_todos([f"notice:{notice.id}:u{actor.id}:"])
    return row


# ---- attachments ------------------------------------------------------------------------------------------

def files_of(notice: Notice) -> list[NoticeFile]:
    return list(db.session.scalars(select(NoticeFile).where(NoticeFile.notice_id == notice.id).order_by(NoticeFile.id)))


def can_attach(user: User, notice: Notice) -> bool:
    return notice.issued_by_id == user.id or user.role == "assistant"


def can_download(user: User, notice: Notice) -> bool:
    """The library (policies, company documents) for everyone; a notice's attachment only for the people
    it was circulated to, its issuer and the leaders."""
    if user.role not in ROLES:
        return False
    return (notice.kind in LIBRARY or user.role in LEADERS or notice.issued_by_id == user.id
            or recipient(user, notice) is not None)


def add_file(actor: User, notice: Notice, filename: str, data: bytes) -> NoticeFile:
    if not can_attach(actor, notice):
        raise Forbidden(_l("只有发布人或销售内勤可以上传附件"))
    from .archive import store_scan

    fields = store_scan(f"n{notice.id}", filename, data, fallback="attachment")
    name = fields["filename"]
    row = NoticeFile(notice_id=notice.id, uploaded_by_id=actor.id, **fields)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "notice.file", row, after={"notice": notice.number, "name": name, "size": len(data)})
    return row


def file_for_download(user: User, notice: Notice, file_id: int) -> tuple[NoticeFile, bytes]:
    row = db.session.get(NoticeFile, file_id)
    if row is None or row.notice_id != notice.id:
        abort(404)
    if not can_download(user, notice):
        abort(403)
    from .archive import read_scan

    return row, read_scan(row.stored_name)
