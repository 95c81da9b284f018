"""The office registers (SPEC 2.12): the department archive with its scans, consents and paper
loans (资料档案、借阅); the seals in the assistant's custody and their log (用印登记); notices and
policies circulated for reading and signature (通知、制度、阅批); meeting minutes and their tasks
(会议纪要、任务)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Region, User
from .types import UTCDateTime, utcnow

# A document on the approval engine (consent to read, a seal use or removal).
DRAFT, PENDING, APPROVED, REJECTED, RETURNED, WITHDRAWN = (
    "draft", "pending", "approved", "rejected", "returned", "withdrawn")

ARCHIVE_CLASSES = ("contract", "shipping", "quality", "service", "minutes", "company", "policy")
RETENTIONS = ("normal", "long")


class ArchiveFile(db.Model):
    """One file (卷) of the department archive: class, contents list (卷内目录), cabinet, retention."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    klass: Mapped[str] = mapped_column(String(12), index=True)
    title: Mapped[str] = mapped_column(String(120))
    contents: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(60), default="")  # 存放位置（柜号）
    retention: Mapped[str] = mapped_column(String(8), default="normal")  # 一般 / 长期
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User] = relationship()
    scans: Mapped[list[ArchiveScan]] = relationship(back_populates="file", order_by="ArchiveScan.id")


class ArchiveScan(db.Model):
    """A scan (image or PDF) attached to a file; downloaded only by someone who may read the file."""

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("archive_file.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file: Mapped[ArchiveFile] = relationship(back_populates="scans")


class ArchiveAccess(db.Model):
    """A request to read a file (查阅申请), consented by a leader through the approval engine."""

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("archive_file.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    valid_until: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file: Mapped[ArchiveFile] = relationship()
    user: Mapped[User] = relationship()


class ArchiveLoan(db.Model):
    """A paper file signed out (借出) and back (归还). At most one open loan per file — the
    partial unique index is the database's own guard behind the service's row lock."""

    __table_args__ = (
        Index("uq_archive_loan_open", "file_id", unique=True, sqlite_where=text("back_at IS NULL"),
              postgresql_where=text("back_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("archive_file.id"), index=True)
    borrower_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(300))
    out_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date] = mapped_column(index=True)
    back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lent_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    file: Mapped[ArchiveFile] = relationship()
    borrower: Mapped[User] = relationship(foreign_keys=[borrower_id])
    lent_by: Mapped[User] = relationship(foreign_keys=[lent_by_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])


class Seal(db.Model):
    """A seal in the custodian's keeping (经济合同章 and the others); `out` while signed out."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    custodian_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    out: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    custodian: Mapped[User] = relationship()


USE, TAKE_OUT = "use", "out"


class SealUse(db.Model):
    """One entry of the seal log: a use (用印) or a removal from the office (带离), requested,
    approved through the engine, then stamped / signed out and back by the custodian."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seal.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4), default=USE)
    document: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(300))
    copies: Mapped[int] = mapped_column(default=1)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    due_back: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stamped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stamped_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    seal: Mapped[Seal] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    stamped_by: Mapped[User | None] = relationship(foreign_keys=[stamped_by_id])


class SealIncident(db.Model):
    """A seal found taken out of the office without consent; the taker's line manager may file
    the violation slip (过失单, ¥50 / ¥1,000) from it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seal.id"), index=True)
    taken_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    day: Mapped[date] = mapped_column()
    note: Mapped[str] = mapped_column(String(300))
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violation.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    seal: Mapped[Seal] = relationship()
    taken_by: Mapped[User] = relationship(foreign_keys=[taken_by_id])
    reported_by: Mapped[User] = relationship(foreign_keys=[reported_by_id])


NOTICE_KINDS = ("notice", "policy", "company")


class Notice(db.Model):
    """A notice, policy or company document circulated for reading (阅) and, where asked, signature (批)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(8), default="notice", index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    issued_by: Mapped[User] = relationship()
    recipients: Mapped[list[NoticeRecipient]] = relationship(back_populates="notice",
                                                             order_by="NoticeRecipient.id")


class NoticeRecipient(db.Model):
    __table_args__ = (UniqueConstraint("notice_id", "user_id", name="uq_notice_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    must_sign: Mapped[bool] = mapped_column(default=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(String(300), default="")

    notice: Mapped[Notice] = relationship(back_populates="recipients")
    user: Mapped[User] = relationship()


MINUTES_KINDS = ("weekly", "other")
TASK_OPEN, TASK_DONE, TASK_CHECKED = "open", "done", "checked"
TASK_STATUSES = (TASK_OPEN, TASK_DONE, TASK_CHECKED)


class Minutes(db.Model):
    """Minutes of the weekly department meeting or another meeting (会议纪要)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="weekly")
    title: Mapped[str] = mapped_column(String(120))
    held_on: Mapped[date] = mapped_column(index=True)
    attendees: Mapped[str] = mapped_column(String(300), default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship()
    tasks: Mapped[list[Task]] = relationship(back_populates="minutes", order_by="Task.id")


class Task(db.Model):
    """A task (seed 004's five points): who, what, by when, where, how it is checked."""

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id"), index=True)
    what: Mapped[str] = mapped_column(String(300))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    place: Mapped[str] = mapped_column(String(120), default="")
    check_method: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8), default=TASK_OPEN, index=True)
    result: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    check_comment: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[Minutes | None] = relationship(back_populates="tasks")
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    assigned_by: Mapped[User] = relationship(foreign_keys=[assigned_by_id])


DIRECTIONS = ("in", "out")
CHANNELS = ("letter", "fax", "parcel", "email", "call")


class Correspondence(db.Model):
    """The correspondence register (收发文登记): letters, faxes, parcels, business email and calls,
    in and out. An incoming item is handed to the person who deals with it, who acknowledges it; an
    incoming call for an absent colleague is a phone message (电话留言) marked done the same way."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    direction: Mapped[str] = mapped_column(String(3), index=True)
    channel: Mapped[str] = mapped_column(String(8), index=True)
    counterpart: Mapped[str] = mapped_column(String(120))  # 来文单位/收文单位, or the caller
    phone: Mapped[str] = mapped_column(String(40), default="")
    subject: Mapped[str] = mapped_column(String(300))
    day: Mapped[date] = mapped_column(index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply: Mapped[str] = mapped_column(String(300), default="")

    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])


TENDER_OUTCOMES = ("open", "won", "lost", "abandoned")


class Tender(db.Model):
    """A tender notice (招标公告) of a region: source, buyer, deadline; assigned to a rep, who files the
    bid documents and answers the questions/challenges (答疑、质疑) by their deadline; the outcome."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(120))  # 信息来源（网站、报纸…）
    buyer: Mapped[str] = mapped_column(String(120))  # 招标单位
    deadline: Mapped[date] = mapped_column(index=True)  # 投标截止
    documents: Mapped[str] = mapped_column(Text, default="")  # 招标文件要求
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    bid_filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bid_note: Mapped[str] = mapped_column(String(300), default="")
    questions: Mapped[str] = mapped_column(String(300), default="")  # 答疑/质疑事项
    answer_by: Mapped[date | None] = mapped_column()
    answer: Mapped[str] = mapped_column(String(300), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(10), default="open", index=True)
    outcome_note: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])


class TenderSearch(db.Model):
    """One registered tender search (招标信息检索登记): who, when, which sources, how many found."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    sources: Mapped[str] = mapped_column(String(200))
    found: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


PARTNER_KINDS = ("carrier", "other")


class Partner(db.Model):
    """A business partner (合作单位): carriers per region (承运公司) and the others."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    contact: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(String(300), default="")
    active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region | None] = relationship()


class Qualification(db.Model):
    """One of the company's own licences and qualifications (公司资质): number, issuer, expiry, a scan.
    Shown to customers and tenders; its expiry is reminded ahead of the date, once per expiry date."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    number: Mapped[str] = mapped_column(String(60), default="")
    issuer: Mapped[str] = mapped_column(String(120), default="")
    expires_on: Mapped[date | None] = mapped_column(index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    stored_name: Mapped[str] = mapped_column(String(80), default="")
    content_type: Mapped[str] = mapped_column(String(40), default="")
    size: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User] = relationship()


class TenderFile(db.Model):
    """A document of a tender (招标文件、投标文件): uploaded by those who work the tender, downloaded by
    those who see it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tender.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tender: Mapped[Tender] = relationship()
    uploaded_by: Mapped[User] = relationship()


class NoticeFile(db.Model):
    """An attachment of a notice, policy or company document. A policy's or company document's
    attachment is part of the library (everyone); a notice's only for its recipients, its issuer and
    the leaders."""

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    notice: Mapped[Notice] = relationship()
