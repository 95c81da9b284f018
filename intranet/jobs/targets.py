"""Daily: reps two months in a row below their sales target are flagged to the sales manager (once per
occasion; rules in services.targets)."""

from datetime import date

from ..services import targets
from .runtime import in_app_context, periodic


@in_app_context
@periodic("flag_reps_below_target")
def flag_reps_below_target(today_iso: str | None = None) -> int:
    """`today_iso` (YYYY-MM-DD) lets an operator or a test replay a given day."""
    from ..web.transaction import commit

    sent = targets.flag_below_target(date.fromisoformat(today_iso) if today_iso else None)
    commit()
    return sent
