"""Queue helper and the app context jobs run in."""

import functools
import logging

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry

log = logging.getLogger(__name__)
_app = None


def redis_connection(url: str | None = None) -> Redis:
    # Short timeouts: a web request must not hang when Redis is down.
    return Redis.from_url(url or current_app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=3)


def queue(connection: Redis | None = None) -> Queue:
    return Queue(current_app.config["RQ_QUEUE"], connection=connection or redis_connection())


def enqueue(func_path: str, *args, retry: Retry | None = None, job_id: str | None = None) -> bool:
    """Enqueue by dotted name with ids only. Returns False (and logs) when Redis is unreachable."""
    try:
        queue().enqueue_call(func_path, args=args, retry=retry, job_id=job_id, failure_ttl=7 * 86400)
        return True
    except RedisError as exc:
        log.warning("could not enqueue %s%r: %s", func_path, args, exc)
        return False


def job_app():
    """The app for this worker process, built on first use (never at import time)."""
    global _app
    if _app is None:
        from .. import create_app

        _app = create_app()
    return _app


def in_app_context(func):
    """Run a job inside an app context; commit once at the end, roll back on error."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from ..extensions import db

        app = current_app._get_current_object() if _has_app() else job_app()
        with app.app_context():
            try:
                result = func(*args, **kwargs)
                db.session.commit()
                return result
            except Exception:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    return wrapper


def _has_app() -> bool:
    try:
        current_app._get_current_object()
        return True
    except RuntimeError:
        return False


def periodic(name: str, switch: bool = True):
    """A scheduled job: skipped while the manager has it switched off (`switch=False`: the job
    checks its own parts' switches); each run is recorded — when, what it did, what it sent, or
    its error — for the reminder schedule page. Use inside in_app_context."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            from ..extensions import db
            from ..services import job_schedule

            if switch and not job_schedule.is_enabled(name):
                return "off"
            run_id = job_schedule.start(name)
            try:
                result = func(*args, **kwargs)
            except Exception as exc:
                db.session.rollback()
                db.session.info.pop("job_sent", None)
                if db.session.get(job_schedule.JobRun, run_id) is None:  # rolled back with the job
                    run_id = job_schedule.start(name)
                job_schedule.finish(run_id, f"{type(exc).__name__}: {exc}", failed=True)
                db.session.commit()
                raise
            job_schedule.finish(run_id, result)
            db.session.commit()
            return result

        return wrapper

    return decorator
