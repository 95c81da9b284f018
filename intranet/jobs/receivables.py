"""Dunning reminders (催款结果未登记提醒与升级), rules in services.dunning; each occasion once."""

from datetime import datetime

from ..services import dunning
from .runtime import in_app_context, periodic


@in_app_context
@periodic("dunning_reminders")
def dunning_reminders(now_iso: str | None = None) -> dict[str, int]:
    """Emails are handed to the queue at commit (the outbox sweep is only the safety net)."""
    from ..web.transaction import commit

    counts = dunning.remind(datetime.fromisoformat(now_iso) if now_iso else None)
    commit()
    return counts
