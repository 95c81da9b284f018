"""Contracts awaiting their signed copy (待上传合同扫描件提醒), rules in services.contract_reminders."""

from datetime import date

from ..services import contract_reminders
from .runtime import in_app_context, periodic


@in_app_context
@periodic("contract_scan_reminders")
def contract_scan_reminders(today_iso: str | None = None) -> dict[str, int]:
    """Idempotent: one outbox key per contract and person. Emails are handed to the queue at commit."""
    from ..web.transaction import commit

    counts = contract_reminders.remind_missing_scans(date.fromisoformat(today_iso) if today_iso else None)
    commit()
    return counts
