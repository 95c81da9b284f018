"""The report center's runs (one row mirrors each RQ job) and the periodic jobs' switches and runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Team, User
from .types import UTCDateTime, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
RUN_STATUSES = (QUEUED, RUNNING, DONE, FAILED)


class ReportRun(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # monthly / weekly
    period: Mapped[str] = mapped_column(String(10))  # 2026-10 / 2026-W46
    # The scope: one team, one rep, or (both None) the whole department.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[dict | None] = mapped_column(JSON)
    xlsx: Mapped[bytes | None] = mapped_column(LargeBinary)

    team: Mapped[Team | None] = relationship()
    rep: Mapped[User | None] = relationship(foreign_keys=[rep_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])


class JobSwitch(db.Model):
    """The manager's on/off for a periodic job (missing row: on)."""

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)


class JobRun(db.Model):
    """When a periodic job last ran and what it did (the reminder schedule page)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(300), default="")
    # What the run wrote for people: {"emails": n, "todos": n, "items": [{"kind", "to", "subject"}, …]}
    # (the first ones; the outbox has them all). None for a run from before this was recorded.
    sent: Mapped[dict | None] = mapped_column(JSON)
    failed: Mapped[bool] = mapped_column(default=False)
