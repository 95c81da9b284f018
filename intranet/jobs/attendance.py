"""Attendance reminders (SPEC 2.3/2.8): not checked in by `checkin_remind_at` (to the person), leave
starting tomorrow (to the line manager). One notify key per occasion, so the 15-minute schedule, a
rerun or a missed run never reminds anyone twice."""

from datetime import datetime

from ..services import attendance
from .runtime import in_app_context, periodic


@in_app_context
@periodic("attendance_reminders")
def attendance_reminders(now_iso: str | None = None) -> dict[str, int]:
    """`now_iso` (an aware ISO timestamp) lets an operator or a test replay a given moment."""
    from ..web.transaction import commit

    sent = attendance.send_reminders(datetime.fromisoformat(now_iso) if now_iso else None)
    commit()
    return sent
