"""The outbox page's rules: who reads it, and the manual retry of a failed email.

How a dead worker's email is recovered (jobs/mail.recover_stuck): the worker records when it
hands a row to SMTP (Email.handed_at) before it connects. A row stuck in "sending" with no
hand-over goes back to pending and is sent again; one that was handed over may have arrived,
so it becomes failed with that explanation, and a person retries it here after checking —
neither lost nor sent twice without anyone deciding. Its Message-ID is stable per row, so a
retried copy is recognisably the same mail to the receiving side.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..extensions import db
from ..models import Email
from ..models.outbox import FAILED, PENDING, SENDING, SENT
from . import audit
from .errors import AlreadyDecided, Forbidden

READERS = ("manager", "assistant")
STATUSES = (PENDING, SENDING, SENT, FAILED)
STATUS_LABELS = {PENDING: _l("待发送"), SENDING: _l("发送中"), SENT: _l("已发送"), FAILED: _l("失败")}


def query(status: str = "", q: str = ""):
    stmt = select(Email).order_by(Email.id.desc())
    if status in STATUSES:
        stmt = stmt.where(Email.status == status)
    if q:
        stmt = stmt.where(Email.to_addr.contains(q) | Email.subject.contains(q))
    return stmt


def counts() -> dict[str, int]:
    from sqlalchemy import func

    found = dict(db.session.execute(select(Email.status, func.count(Email.id)).group_by(Email.status)).all())
    return {s: found.get(s, 0) for s in STATUSES}


def retry(actor, email_id: int) -> Email:
    """failed → pending with a fresh attempt count; the caller enqueues it after commit."""
    if actor.role not in READERS:
        raise Forbidden(_l("无权重发邮件"))
    changed = db.session.execute(update(Email).where(Email.id == email_id, Email.status == FAILED)
                                 .values(status=PENDING, attempts=0, handed_at=None, claimed_at=None))
    if changed.rowcount != 1:
        raise AlreadyDecided(_l("只有发送失败的邮件可以重发"))
    row = db.session.get(Email, email_id)
    db.session.refresh(row)
    audit.record(actor, "email.retry", row, before={"status": FAILED}, after={"status": PENDING})
    return row
