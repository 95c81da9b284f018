"""Hash-chained audit trail: record() appends, verify() finds the first broken link."""

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal

from flask import has_request_context, request
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..clock import now_utc
from ..extensions import db
from ..models import AuditEntry

GENESIS = "0" * 64
# Serialises appends so the chain stays linear: on PostgreSQL an advisory lock
# held until commit, on SQLite the database write lock (see _lock_chain).
_PG_LOCK_ID = 4242001


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _digest(entry: AuditEntry) -> str:
    payload = json.dumps(
        [
            entry.prev_hash,
            entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
            entry.actor_id,
            entry.actor_name,  # shown as "who" on the log page, so it must be covered too
            entry.ip,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.before,
            entry.after,
        ],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _lock_chain() -> None:
    """Take the chain's write lock before reading its head, so two writers never fork it."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
    elif dialect == "sqlite":
        # A write statement (even one touching no row) takes SQLite's RESERVED lock.
        db.session.execute(db.text("UPDATE audit_entry SET id = id WHERE 1 = 0"))


def _chain_head() -> str:
    """The last hash, read once per transaction under the chain lock, then kept in session.info."""
    info = db.session.info
    if "audit_head" not in info:
        _lock_chain()
        last = db.session.scalars(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
        info["audit_head"] = last or GENESIS
    return info["audit_head"]


def lock() -> None:
    """Take the audit chain's lock now. Lock order for every writer: this first, then row locks,
    so that two transactions never wait on each other in opposite order (no deadlock)."""
    _chain_head()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_head(session, *args) -> None:
    session.info.pop("audit_head", None)


def record(actor, action: str, obj=None, before=None, after=None, object_type=None, object_id=None) -> AuditEntry:
    """Append one entry. `obj` gives type and id unless they are passed explicitly.

    Not flushed here: entries of one request go to the database together (in order).
    """
    last = _chain_head()
    entry = AuditEntry(
        at=now_utc(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "name", "") or "",
        action=action,
        object_type=object_type or (type(obj).__name__ if obj is not None else ""),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        before=_jsonable(before),
        after=_jsonable(after),
        ip=request.remote_addr or "" if has_request_context() else "",
        prev_hash=last or GENESIS,
    )
    entry.hash = _digest(entry)
    db.session.add(entry)
    db.session.info["audit_head"] = entry.hash
    return entry


def verify() -> AuditEntry | None:
    """Walk the chain in id order; return the first entry whose link or content was changed."""
    prev = GENESIS
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(500):
        if entry.prev_hash != prev or _digest(entry) != entry.hash:
            return entry
        prev = entry.hash
    return None


def entries_for(obj) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(
        AuditEntry.object_type == type(obj).__name__, AuditEntry.object_id == obj.id
    )
    return list(db.session.scalars(stmt.order_by(AuditEntry.id)))
