"""Scheduled approval reminders: once to the approver, then once one level up (SPEC 2.8)."""

from ..services import approvals
from .runtime import in_app_context, periodic


@in_app_context
@periodic("approval_reminders")
def remind_overdue_approvals() -> int:
    """Idempotent: an ApprovalReminder row per request/round/step/level makes each reminder happen once."""
    from ..web.transaction import commit

    written = approvals.remind_overdue()
    commit()  # the rows first, then the emails go to the queue (the outbox sweep catches any left over)
    return written
