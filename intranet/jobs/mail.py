"""Deliver outbox emails over SMTP, exactly once per row."""

import hashlib
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from rq import Retry
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from ..clock import now_utc
from ..extensions import db
from ..models import Email
from ..models.outbox import FAILED, PENDING, SENDING, SENT
from ..services.notify import language_of
from ..web.stored_labels import in_language
from .runtime import enqueue, in_app_context, periodic

RETRY = Retry(max=5, interval=[10, 30, 60, 300, 900])
STALE_PENDING = timedelta(seconds=30)
# A row still "sending" this long after its claim belongs to a worker that died (SMTP timeout is 10 s).
STUCK_SENDING = timedelta(minutes=5)
MAX_ATTEMPTS = 6  # the first try and RQ's five retries; then the row is failed and shown on the outbox page


def enqueue_email(email_id: int) -> bool:
    return enqueue("intranet.jobs.mail.send_email", email_id, retry=RETRY)


def _claim(email_id: int) -> bool:
    """Atomically move pending → sending; only one job can win, so a row is never sent twice."""
    result = db.session.execute(
        update(Email).where(Email.id == email_id, Email.status == PENDING)
        .values(status=SENDING, attempts=Email.attempts + 1, claimed_at=now_utc(), handed_at=None)
    )
    db.session.commit()
    return result.rowcount == 1


def _connect_and_deliver(row: Email) -> None:
    """Build the message (every database read), record the hand-over to SMTP (see Email.handed_at)
    and commit — so no transaction stays open across the SMTP conversation — then deliver."""
    msg = _message(row)
    row.handed_at = now_utc()
    db.session.commit()
    _send(msg)


def _message(row: Email) -> EmailMessage:
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_SENDER"]
    msg["To"] = row.to_addr
    # Stored in the company's language; a colleague who reads English gets it in English.
    locale = language_of(row.to_addr)
    msg["Subject"] = in_language(row.subject, locale)
    # Stable per row (a resend is recognisably the same mail); the key itself may hold ':' and
    # other characters a Message-ID must not contain, so only its digest goes in.
    msg["Message-ID"] = f"<outbox-{row.id}.{hashlib.sha1(row.key.encode()).hexdigest()[:16]}@intranet>"
    msg.set_content(in_language(row.body, locale))
    if row.html_body:
        msg.add_alternative(row.html_body, subtype="html")
    return msg


def _send(msg: EmailMessage) -> None:
    cfg = current_app.config
    with smtplib.SMTP(cfg["MAIL_HOST"], cfg["MAIL_PORT"], timeout=10) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(msg)


def _mark_sent(email_id: int) -> None:
    """SMTP has accepted the mail: record that, on a fresh connection when the one in hand died during
    the SMTP conversation (a database restart, pg_terminate_backend, a failover). Otherwise the row would
    stay "sending, handed over" and be failed as "may have arrived" although it certainly did."""
    for attempt in (1, 2):
        try:
            db.session.execute(update(Email).where(Email.id == email_id, Email.status == SENDING)
                               .values(status=SENT, sent_at=now_utc()))
            db.session.commit()
            return
        except DBAPIError as exc:
            db.session.rollback()
            if attempt == 2 or not exc.connection_invalidated:
                raise


@in_app_context
def send_email(email_id: int) -> str:
    if not _claim(email_id):
        return "skipped"  # already sent or being sent by another job
    row = db.session.get(Email, email_id)
    try:
        _connect_and_deliver(row)
    except (OSError, smtplib.SMTPException) as exc:
        row.status, row.last_error, row.handed_at = PENDING, str(exc)[:500], None
        if row.attempts >= MAX_ATTEMPTS:
            row.status = FAILED
        db.session.commit()
        if row.status == FAILED:
            return "failed"
        raise  # RQ's Retry schedules the next attempt with backoff
    _mark_sent(email_id)
    return "sent"


def recover_stuck() -> int:
    """Rows left "sending" by a dead worker: back to pending when SMTP never got them, else failed."""
    cutoff = now_utc() - STUCK_SENDING
    stuck = db.session.scalars(select(Email).where(Email.status == SENDING, Email.claimed_at < cutoff)
                               .with_for_update(skip_locked=True)).all()
    for row in stuck:
        if row.handed_at is None:
            row.status, row.last_error = PENDING, "发送进程中断，未交给邮件服务器，已重新排队"
        else:
            row.status, row.last_error = FAILED, "发送进程中断，邮件服务器可能已收到，请核实后再重发"
    db.session.commit()
    return len(stuck)


@in_app_context
@periodic("sweep_outbox")
def sweep_outbox() -> int:
    """Re-enqueue emails still pending (e.g. written while Redis was down). Scheduled every minute."""
    recover_stuck()
    cutoff = now_utc() - STALE_PENDING
    ids = db.session.scalars(
        select(Email.id).where(Email.status == PENDING, Email.created_at < cutoff,
                            Email.attempts < MAX_ATTEMPTS)
    ).all()
    return sum(enqueue_email(i) for i in ids)
