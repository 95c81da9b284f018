"""Commit once per request, then hand queued emails to Redis (after the rows exist); and end each
request's session even when its database connection died under it."""

import logging

from ..extensions import db
from ..jobs.mail import enqueue_email
from ..services.notify import pending_after_commit

log = logging.getLogger(__name__)


def commit() -> None:
    db.session.commit()
    for email_id in pending_after_commit():
        enqueue_email(email_id)  # if Redis is down the outbox sweep sends it later


def release_session(exc: BaseException | None = None) -> None:
    """End the request's session; a connection lost after the response was built costs nothing.

    Flask-SQLAlchemy's own teardown rolls the session back, which raises when PostgreSQL dropped the
    connection in the meantime (a restart, pg_terminate_backend, a failover) — after the view had
    already built its answer, so the person got a bare "Internal Server Error" from gunicorn instead
    of their page. SQLAlchemy has already discarded the dead connection (the pool's pre-ping replaces
    it on the next checkout); here the session is forgotten and the answer goes out. Whatever the
    request wrote was either committed before or is rolled back by PostgreSQL with the connection.
    """
    try:
        db.session.remove()
    except Exception as error:  # noqa: BLE001 — any driver error on a dead connection
        log.warning("database connection lost at the end of the request: %s", error.__class__.__name__)
        db.session.registry.clear()


def install(app) -> None:
    # Registered after db.init_app: teardowns run last-registered first, so this one ends the session
    # and Flask-SQLAlchemy's finds nothing left to roll back.
    app.teardown_appcontext(release_session)
