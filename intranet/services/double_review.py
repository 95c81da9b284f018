"""Double review (双人复核) shared by shipments and invoices: one person prepares a document, another
checks it; either the preparer or a checker may void it while it waits. The row is locked (after
the audit chain's lock) before its state is read, so two people acting at once decide it once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import User
from ..models.orders import TO_CHECK
from . import audit
from .errors import AlreadyDecided, DomainError, Forbidden
from .locking import lock_row


def lock(model, doc):
    """The document's row under a row lock, reloaded."""
    return lock_row(model, doc.id)


def can_check(user: User, doc, checkers) -> bool:
    return doc.status == TO_CHECK and user.role in checkers and user.id != doc.prepared_by_id


def _waiting(model, doc, labels):
    doc = lock(model, doc)
    if doc.status != TO_CHECK:
        raise AlreadyDecided(_l("%(number)s 已经%(status)s", number=doc.number, status=labels[doc.status]))
    return doc


def begin_check(actor: User, model, doc, checkers, labels, own_message):
    """The locked document, once the actor may check it: a checker, never its preparer."""
    if actor.role not in checkers:
        raise Forbidden(_l("您没有复核权限"))
    audit.lock()
    doc = _waiting(model, doc, labels)
    if actor.id == doc.prepared_by_id:
        raise Forbidden(own_message)
    return doc


def begin_void(actor: User, model, doc, checkers, labels, reason: str, not_allowed) -> tuple[object, str]:
    """(the locked document, the cleaned reason), once the actor may void it: its preparer or a checker."""
    audit.lock()
    doc = _waiting(model, doc, labels)
    if actor.id != doc.prepared_by_id and not can_check(actor, doc, checkers):
        raise Forbidden(not_allowed)
    reason = (reason or "").strip()[:200]
    if not reason:
        raise DomainError(_l("请填写作废原因"), field="reason")
    return doc, reason
