"""Daily check of the office registers: archive loans overdue, tasks due and
company qualifications about to expire, each reminded once."""

from datetime import datetime

from ..services import archive, minutes, qualifications
from .runtime import in_app_context, periodic


@in_app_context
@periodic("office_reminders")
def office_reminders(now_iso: str | None = None) -> dict[str, int]:
    """Idempotent: one outbox key per loan/task and person, so a second run reminds nobody."""
    from ..web.transaction import commit

    now = datetime.fromisoformat(now_iso) if now_iso else None
    result = {"loans": archive.remind_overdue(now), "tasks": minutes.remind_due(now),
              "qualifications": qualifications.remind_expiring(now)}
    commit()
    return result


@in_app_context
@periodic("tender_search_check")
def tender_search_check(now_iso: str | None = None) -> int:
    """Weekly: fewer tender searches logged last week than the setting → the assistant and the manager
    are reminded. Idempotent: one outbox key per week and person."""
    from ..services import tenders
    from ..web.transaction import commit

    sent = tenders.check_last_week(datetime.fromisoformat(now_iso) if now_iso else None)
    commit()
    return sent
