"""Daily check of the mailing register (定时查件): sendings not confirmed after N days, once each."""

from datetime import datetime

from ..services import mailings
from .runtime import in_app_context, periodic


@in_app_context
@periodic("mailing_reminders")
def remind_unconfirmed_mailings(now_iso: str | None = None) -> int:
    """Idempotent: one outbox key per mailing and assistant, so a second run reminds nobody."""
    from ..web.transaction import commit

    written = mailings.remind_unconfirmed(datetime.fromisoformat(now_iso) if now_iso else None)
    commit()
    return written
