"""The daily report and the work-log summary at their set times, and the missing-sheet reminder.

Scheduled every 5 minutes: each run sends what is due and not yet sent (one DailyReportSend row
per report and day, one outbox key per recipient), so two ticks or two workers send it once."""

from datetime import datetime

from ..services import daily_report, daily_sheets
from ..services.job_schedule import is_enabled
from .runtime import in_app_context, periodic


@in_app_context
@periodic("daily_report", switch=False)  # the daily report and the work-log summary have a switch each
def send_daily_reports(now_iso: str | None = None) -> str:
    """`now_iso` (an aware ISO timestamp) lets an operator or a test replay a given moment."""
    from ..web.transaction import commit

    if not any(is_enabled(name) for name in daily_report.SWITCH.values()):
        return "off"
    sent = daily_report.send_due(datetime.fromisoformat(now_iso) if now_iso else None)
    commit()
    return ", ".join(sent) or "—"


@in_app_context
@periodic("daily_sheet_missing")
def remind_missing_sheets(now_iso: str | None = None) -> int:
    from ..web.transaction import commit

    written = daily_sheets.remind_missing(datetime.fromisoformat(now_iso) if now_iso else None)
    commit()
    return written
