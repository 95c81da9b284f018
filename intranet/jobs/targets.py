"""Daily: reps two months in a row below their sales target are flagged to the sales manager (once per
occasion; rules in services.targets); the day's sales per rep go to finance (services.daily_sales)."""

from datetime import date, datetime

from ..services import daily_sales, targets
from .runtime import in_app_context, periodic


@in_app_context
@periodic("flag_reps_below_target")
def flag_reps_below_target(today_iso: str | None = None) -> int:
    """`today_iso` (YYYY-MM-DD) lets an operator or a test replay a given day."""
    from ..web.transaction import commit

    sent = targets.flag_below_target(date.fromisoformat(today_iso) if today_iso else None)
    commit()
    return sent


@in_app_context
@periodic("daily_sales_to_finance")
def send_daily_sales(now_iso: str | None = None) -> int:
    """`now_iso` (an aware ISO timestamp) lets an operator or a test replay a given moment."""
    from ..web.transaction import commit

    written = daily_sales.send_due(datetime.fromisoformat(now_iso) if now_iso else None)
    commit()
    return written
