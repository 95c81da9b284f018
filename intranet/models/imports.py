"""A large Excel import checked and saved by the worker (the upload, its state and its outcome)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import User
from .types import UTCDateTime, utcnow

CHECKING, READY, IMPORTING, DONE, FAILED = "checking", "ready", "importing", "done", "failed"
RUNNING = (CHECKING, IMPORTING)


class ImportBatch(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # The URL names the batch by an unguessable token, never by its id.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="customers")
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=CHECKING)
    total_rows: Mapped[int] = mapped_column(default=0)
    valid_rows: Mapped[int] = mapped_column(default=0)
    error_rows: Mapped[int] = mapped_column(default=0)
    imported_rows: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
