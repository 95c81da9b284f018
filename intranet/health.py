"""/healthz: database, Redis and the worker heartbeat, as JSON for the reverse proxy."""

from datetime import UTC, datetime, timedelta

from flask import Blueprint, jsonify
from redis.exceptions import RedisError
from rq import Worker

from .clock import now_utc
from .extensions import db
from .jobs.runtime import redis_connection

bp = Blueprint("health", __name__)


def _database() -> bool:
    try:
        db.session.execute(db.text("SELECT 1"))
        return True
    except Exception:  # any driver error means "down" here
        db.session.rollback()
        return False


def _worker_heartbeat(conn) -> str | None:
    beats = [w.last_heartbeat for w in Worker.all(connection=conn) if w.last_heartbeat]
    return max(beats).astimezone(UTC).isoformat() if beats else None


@bp.get("/healthz")
def healthz():
    report = {"database": _database(), "redis": False, "worker_heartbeat": None, "worker": False}
    try:
        conn = redis_connection()
        conn.ping()
        report["redis"] = True
        beat = _worker_heartbeat(conn)
        report["worker_heartbeat"] = beat
        report["worker"] = bool(beat) and now_utc() - datetime.fromisoformat(beat) < timedelta(minutes=2)
    except RedisError:
        pass
    ok = report["database"] and report["redis"] and report["worker"]
    return jsonify(status="ok" if ok else "degraded", **report), 200 if ok else 503
