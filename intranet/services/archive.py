"""The department archive (资料档案, SPEC 2.12): files by class with their contents list, scans,
consent to read and the paper loans (借阅签字).

Who reads a file: the department leaders (manager, director, gm) and the assistant who keeps the
archive read freely; anyone else only with a leader's consent — an `archive_access` request through
the approval engine, valid for ACCESS_DAYS days. The same rule guards the page, the scan download
and the search over the contents list. A paper file is lent to one person at a time: the file row
is locked (after the audit chain, the lock order of every writer) and a partial unique index
refuses a second open loan even if a writer skipped the lock.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import abort, current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from .. import clock
from ..extensions import db
from ..models import User
from ..models.approvals import ROLE
from ..models.office import (
    APPROVED,
    ARCHIVE_CLASSES,
    DRAFT,
    PENDING,
    REJECTED,
    RETENTIONS,
    RETURNED,
    WITHDRAWN,
    ArchiveAccess,
    ArchiveFile,
    ArchiveLoan,
    ArchiveScan,
)
from . import approvals, audit, notify, numbering, receipts, stored_files
from .errors import DomainError, Forbidden
from .text_rules import clean_text

DOC_TYPE = "archive_access"
LEADERS = ("manager", "director", "gm")
KEEPERS = ("assistant",)
ROLES = ("rep", "supervisor", "manager", "director", "gm", "assistant", "finance")
ACCESS_DAYS = 30
MAX_LOAN_DAYS = 90

CLASS_LABELS = {"contract": _l("合同"), "shipping": _l("发货通知单"), "quality": _l("质量信息反馈"),
                "service": _l("售后服务回执"), "minutes": _l("会议纪要"), "company": _l("公司文件"),
                "policy": _l("规章制度")}
RETENTION_LABELS = {"normal": _l("一般"), "long": _l("长期")}
ACCESS_LABELS = {DRAFT: _l("草稿"), PENDING: _l("待领导同意"), APPROVED: _l("已同意"), REJECTED: _l("未同意"),
                 RETURNED: _l("退回修改"), WITHDRAWN: _l("已撤回")}
DEFAULT_STEPS = [approvals.step_dict(_l("部门领导同意查阅"), ROLE, "manager")]


class InputErrors(DomainError):
    def __init__(self, errors: dict):
        super().__init__(next(iter(errors.values())))
        self.errors = errors


# ---- who reads ------------------------------------------------------------------------------

def reads_freely(user: User) -> bool:
    return user.role in LEADERS or user.role in KEEPERS


def consent(user: User, file: ArchiveFile) -> ArchiveAccess | None:
    """The user's approved consent still in force for this file, if any."""
    return db.session.scalar(select(ArchiveAccess).where(
        ArchiveAccess.file_id == file.id, ArchiveAccess.user_id == user.id, ArchiveAccess.status == APPROVED,
        ArchiveAccess.valid_until >= clock.today_local()).limit(1))


def can_read(user: User, file: ArchiveFile) -> bool:
    return reads_freely(user) or consent(user, file) is not None


def readable_ids(user: User):
    """A subquery of the file ids this user may read (for the contents search)."""
    return select(ArchiveAccess.file_id).where(
        ArchiveAccess.user_id == user.id, ArchiveAccess.status == APPROVED,
        ArchiveAccess.valid_until >= clock.today_local())


def get_file_or_404(user: User, file_id: int) -> ArchiveFile:
    """Every office role sees that a file exists (number, title, cabinet) — the contents, the
    scans and the loan only follow can_read()."""
    file = db.session.get(ArchiveFile, file_id)
    if file is None or user.role not in ROLES:
        abort(404)
    return file


def search(user: User, q: str = "", klass: str = ""):
    """Files by number/title for everyone; the contents list is searched only where the user may read."""
    stmt = select(ArchiveFile).order_by(ArchiveFile.number.desc())
    if klass in ARCHIVE_CLASSES:
        stmt = stmt.where(ArchiveFile.klass == klass)
    if q:
        on_contents = ArchiveFile.contents.contains(q, autoescape=True)
        if not reads_freely(user):
            on_contents = on_contents & ArchiveFile.id.in_(readable_ids(user))
        stmt = stmt.where(or_(ArchiveFile.number.contains(q, autoescape=True),
                              ArchiveFile.title.contains(q, autoescape=True), on_contents))
    return stmt


# ---- files and scans ---------------------------------------------------------------------------

def _check_keeper(actor: User) -> None:
    if actor.role not in KEEPERS and actor.role != "manager":
        raise Forbidden(_l("只有销售内勤或销售经理可以登记档案"))


def save_file(actor: User, file: ArchiveFile | None, fields: dict) -> ArchiveFile:
    _check_keeper(actor)
    errors = {}
    title = clean_text(fields.get("title") or "").strip()
    if not title:
        errors["title"] = _l("请填写案卷题名")
    elif len(title) > 120:
        errors["title"] = _l("案卷题名不能超过 120 个字")
    if fields.get("klass") not in ARCHIVE_CLASSES:
        errors["klass"] = _l("请选择档案类别")
    if fields.get("retention") not in RETENTIONS:
        errors["retention"] = _l("请选择保管期限")
    contents = clean_text(fields.get("contents") or "").strip()
    if len(contents) > 5000:
        errors["contents"] = _l("卷内目录不能超过 5000 个字")
    location = clean_text(fields.get("location") or "").strip()
    if len(location) > 60:
        errors["location"] = _l("存放位置不能超过 60 个字")
    if errors:
        raise InputErrors(errors)
    before = None if file is None else {"title": file.title, "klass": file.klass, "location": file.location}
    if file is None:
        file = ArchiveFile(number=_next_number(), created_by_id=actor.id)
        db.session.add(file)
    file.title, file.klass, file.retention = title, fields["klass"], fields["retention"]
    file.contents, file.location = contents, location
    db.session.flush()
    audit.record(actor, "archive.save", file, before=before,
                 after={"number": file.number, "title": title, "klass": file.klass, "location": location})
    return file


def _next_number() -> str:
    return numbering.next_number(ArchiveFile, f"DA{clock.today_local().year}-")


def scan_dir() -> Path:
    base = current_app.config.get("INSTANCE_DIR") or current_app.instance_path
    path = Path(base) / "uploads" / "archive"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_scan(prefix: str, filename: str, data: bytes, fallback: str = "scan") -> dict:
    """Every office upload (archive scans, qualifications, notice and tender files): checked by content,
    stored under the office's folder (removed again if the transaction rolls back); the row's fields."""
    content_type, ext = receipts.check(data, field="scan")
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or f"{fallback}.{ext}"
    stored = f"{prefix}-{secrets.token_hex(8)}.{ext}"
    stored_files.write(db.session, scan_dir() / stored, data)
    return {"filename": name, "stored_name": stored, "content_type": content_type, "size": len(data)}


def read_scan(stored_name: str) -> bytes:
    """The bytes of a stored office upload (404 when it is gone); the caller has checked the permission."""
    path = scan_dir() / stored_name if stored_name else None
    if path is None or not path.is_file():
        abort(404)
    return path.read_bytes()


def add_scan(actor: User, file: ArchiveFile, filename: str, data: bytes) -> ArchiveScan:
    _check_keeper(actor)
    fields = store_scan(str(file.id), filename, data)
    name = fields["filename"]
    scan = ArchiveScan(file_id=file.id, uploaded_by_id=actor.id, **fields)
    db.session.add(scan)
    db.session.flush()
    audit.record(actor, "archive.scan", scan, after={"file": file.number, "name": name, "size": len(data)})
    return scan


def scan_for_download(user: User, file: ArchiveFile, scan_id: int) -> tuple[ArchiveScan, bytes]:
    scan = db.session.get(ArchiveScan, scan_id)
    if scan is None or scan.file_id != file.id:
        abort(404)
    if not can_read(user, file):
        abort(403)  # consent first: the same rule as the page and the search
    return scan, read_scan(scan.stored_name)


# ---- consent to read -------------------------------------------------------------------------------

def request_access(actor: User, file: ArchiveFile, purpose: str) -> ArchiveAccess:
    purpose = clean_text(purpose or "").strip()
    if reads_freely(actor):
        raise DomainError(_l("您可以直接查阅，无需申请"))
    if not purpose:
        raise DomainError(_l("请填写查阅事由"), field="purpose")
    if len(purpose) > 300:
        raise DomainError(_l("查阅事由不能超过 300 个字"), field="purpose")
    if consent(actor, file):
        raise DomainError(_l("您已获同意查阅该档案"))
    waiting = db.session.scalar(select(ArchiveAccess.id).where(
        ArchiveAccess.file_id == file.id, ArchiveAccess.user_id == actor.id, ArchiveAccess.status == PENDING))
    if waiting:
        raise DomainError(_l("您的查阅申请正在等待领导同意"))
    access = ArchiveAccess(file_id=file.id, user_id=actor.id, purpose=purpose)
    access.file, access.user = file, actor
    db.session.add(access)
    db.session.flush()
    audit.record(actor, "archive.access_request", access, after={"file": file.number, "purpose": purpose})
    approvals.submit(actor, DOC_TYPE, access)
    return access


def get_access_or_404(user: User, access_id: int) -> ArchiveAccess:
    access = db.session.get(ArchiveAccess, access_id)
    if access is None:
        abort(404)
    req = approvals.request_for(DOC_TYPE, access.id)
    if not (access.user_id == user.id or reads_freely(user) or (req and approvals.can_view(user, req))):
        abort(404)
    return access


def my_requests(user: User, file: ArchiveFile) -> list[ArchiveAccess]:
    return list(db.session.scalars(select(ArchiveAccess).where(
        ArchiveAccess.file_id == file.id, ArchiveAccess.user_id == user.id).order_by(ArchiveAccess.id.desc())))


class AccessAdapter(approvals.Adapter):
    def load(self, doc_id):
        return db.session.get(ArchiveAccess, doc_id)

    def title(self, doc) -> str:
        return str(_l("查阅档案 %(number)s %(title)s（%(name)s）", number=doc.file.number, title=doc.file.title,
                      name=doc.user.name))

    def owner(self, doc):
        return doc.user

    def url(self, doc) -> str:
        try:
            return url_for("office.access_detail", access_id=doc.id)
        except RuntimeError:
            return f"/office/archive/access/{doc.id}"

    def summary(self, doc):
        return [(_l("档案"), f"{doc.file.number} {doc.file.title}"), (_l("类别"), CLASS_LABELS[doc.file.klass]),
                (_l("申请人"), doc.user.name), (_l("事由"), doc.purpose)]

    def on_submitted(self, doc, actor):
        _set_status(actor, doc, PENDING)

    def on_approved(self, doc, actor):
        doc.valid_until = clock.today_local() + timedelta(days=ACCESS_DAYS)
        _set_status(actor, doc, APPROVED)

    def on_rejected(self, doc, actor, comment):
        _set_status(actor, doc, REJECTED)

    def on_returned(self, doc, actor, comment):
        _set_status(actor, doc, RETURNED)

    def on_withdrawn(self, doc, actor):
        _set_status(actor, doc, WITHDRAWN)


def _set_status(actor, doc, status) -> None:
    before, doc.status = doc.status, status
    audit.record(actor, "archive.access_status", doc, before={"status": before}, after={"status": status})


ADAPTER = approvals.register(AccessAdapter(DOC_TYPE, _l("档案查阅申请"), default_steps=DEFAULT_STEPS))


# ---- paper loans (借阅) ---------------------------------------------------------------------------------

def open_loan(file: ArchiveFile) -> ArchiveLoan | None:
    return db.session.scalar(select(ArchiveLoan).where(ArchiveLoan.file_id == file.id, ArchiveLoan.back_at.is_(None)))


def lend(actor: User, file: ArchiveFile, borrower: User | None, purpose: str, due_on: date | None) -> ArchiveLoan:
    """The keeper signs a file out to someone who may read it; one open loan per file."""
    if actor.role not in KEEPERS:
        raise Forbidden(_l("只有档案管理人（销售内勤）可以办理借出"))
    errors = {}
    purpose = clean_text(purpose or "").strip()
    today = clock.today_local()
    if borrower is None:
        errors["borrower_id"] = _l("请选择借阅人")
    elif not can_read(borrower, file):
        errors["borrower_id"] = _l("%(name)s 尚未获得部门领导同意查阅该档案", name=borrower.name)
    if not purpose:
        errors["purpose"] = _l("请填写借阅用途")
    elif len(purpose) > 300:
        errors["purpose"] = _l("借阅用途不能超过 300 个字")
    if due_on is None:
        errors["due_on"] = _l("请填写应还日期")
    elif due_on < today:
        errors["due_on"] = _l("应还日期不能早于今天")
    elif due_on > today + timedelta(days=MAX_LOAN_DAYS):
        errors["due_on"] = _l("借阅期限不能超过 %(n)s 天", n=MAX_LOAN_DAYS)
    if errors:
        raise InputErrors(errors)
    audit.lock()
    db.session.scalar(select(ArchiveFile).where(ArchiveFile.id == file.id).with_for_update())
    current = open_loan(file)
    if current is not None:
        raise DomainError(_l("该档案已借给 %(name)s（应还 %(due)s），归还后才能再借", name=current.borrower.name,
                             due=current.due_on.isoformat()))
    loan = ArchiveLoan(file_id=file.id, borrower_id=borrower.id, purpose=purpose, due_on=due_on,
                       lent_by_id=actor.id, out_at=clock.now_utc())
    loan.file, loan.borrower = file, borrower
    db.session.add(loan)
    db.session.flush()
    audit.record(actor, "archive.lend", loan, after={"file": file.number, "borrower": borrower.username,
                                                     "due_on": due_on, "purpose": purpose})
    return loan


def take_back(actor: User, loan: ArchiveLoan) -> ArchiveLoan:
    if actor.role not in KEEPERS:
        raise Forbidden(_l("只有档案管理人（销售内勤）可以办理归还"))
    audit.lock()
    db.session.refresh(loan, with_for_update=True)
    if loan.back_at is not None:
        raise DomainError(_l("该借阅已归还"))
    loan.back_at, loan.received_by_id = clock.now_utc(), actor.id
    db.session.flush()
    notify.close_todos([f"archive-overdue:{loan.id}:"])
    audit.record(actor, "archive.return", loan, before={"back_at": None},
                 after={"file": loan.file.number, "back_at": loan.back_at})
    return loan


def get_loan_or_404(user: User, loan_id: int) -> ArchiveLoan:
    loan = db.session.get(ArchiveLoan, loan_id)
    if loan is None or not (user.role in KEEPERS or user.role in LEADERS or loan.borrower_id == user.id):
        abort(404)
    return loan


def loans_query(user: User, overdue_only: bool = False):
    stmt = select(ArchiveLoan).order_by(ArchiveLoan.back_at.is_(None).desc(), ArchiveLoan.due_on)
    if not reads_freely(user):
        stmt = stmt.where(ArchiveLoan.borrower_id == user.id)
    if overdue_only:
        stmt = stmt.where(ArchiveLoan.back_at.is_(None), ArchiveLoan.due_on < clock.today_local())
    return stmt


def overdue_loans(now: datetime | None = None) -> list[ArchiveLoan]:
    today = now.astimezone(clock.SHANGHAI).date() if now else clock.today_local()
    return list(db.session.scalars(select(ArchiveLoan).where(ArchiveLoan.back_at.is_(None), ArchiveLoan.due_on < today)
                                   .order_by(ArchiveLoan.due_on)))


def remind_overdue(now: datetime | None = None) -> int:
    """Once per loan and person (the key has no date): the borrower and the keepers."""
    sent = 0
    keepers = list(db.session.scalars(select(User).where(User.role.in_(KEEPERS), User.active)))
    for loan in overdue_loans(now):
        subject = str(_l("借阅逾期：%(number)s %(title)s（%(name)s，应还 %(due)s）", number=loan.file.number,
                         title=loan.file.title, name=loan.borrower.name, due=loan.due_on.isoformat()))
        for person in {loan.borrower, *keepers}:
            key = f"archive-overdue:{loan.id}:u{person.id}"
            notify.todo(key, person, subject, _file_url(loan.file))
            sent += int(notify.email(key, person.email, subject, subject) is not None)
    return sent


def _file_url(file: ArchiveFile) -> str:
    try:
        return url_for("office.archive_file", file_id=file.id)
    except RuntimeError:
        return f"/office/archive/{file.id}"


def lendable_people() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active, User.role.in_(ROLES)).order_by(User.id)))
