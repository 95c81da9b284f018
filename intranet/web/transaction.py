"""Commit once per request, then hand queued emails to Redis (after the rows exist)."""

from ..extensions import db
from ..jobs.mail import enqueue_email
from ..services.notify import pending_after_commit


def commit() -> None:
    db.session.commit()
    for email_id in pending_after_commit():
        enqueue_email(email_id)  # if Redis is down the outbox sweep sends it later
