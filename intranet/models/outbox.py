"""Outgoing email and in-app to-do items. The row is the record; Redis only delivers."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


class Email(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # One email per occasion: the caller names the occasion (e.g. "approval:12:step:3:user:5").
    key: Mapped[str] = mapped_column(String(200), unique=True)
    to_addr: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")  # optional HTML alternative of `body`
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Recovery of a worker that died: claimed (status sending) but never handed to SMTP → safe to
    # send again; handed to SMTP (handed_at set) but not marked sent → it may have arrived, so it
    # is marked failed for a person to check and retry — never sent twice behind anyone's back.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Todo(db.Model):
    """An item on someone's desk to-do list (reminders, new inbox items)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(300), default="")
    done: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
