"""Daily reminders of the customer and visit workflows (rules in services.visits).

Each occasion is one notify key (e.g. "visit-report-overdue:<visit id>"), so running the job
twice a day, or after a missed day, never reminds anyone twice. The outbox sweep sends the emails.
"""

from datetime import datetime

from ..services import enquiries, visits
from .runtime import in_app_context, periodic


@in_app_context
@periodic("daily_reminders")
def daily_reminders(now_iso: str | None = None) -> dict[str, int]:
    """`now_iso` (an aware ISO timestamp) lets an operator or a test replay a given day."""
    now = datetime.fromisoformat(now_iso) if now_iso else None
    return visits.send_reminders(now)


@in_app_context
@periodic("enquiry_escalation")
def escalate_enquiries(now_iso: str | None = None) -> int:
    """Enquiries from a region without reps not taken up in time: to the sales manager (each once)."""
    return enquiries.escalate_untaken(datetime.fromisoformat(now_iso) if now_iso else None)
