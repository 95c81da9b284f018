"""Document numbers (DD-202612-0001, DA2026-0001, …): the next one under a stem, one rule for every
register. The highest number so far plus one, so a number is never reused after a removal; two writers
at once are kept apart by the number's unique constraint (their transaction retries or fails cleanly)."""

from sqlalchemy import func, select

from ..clock import today_local
from ..extensions import db


def next_number(model, stem: str, width: int = 4) -> str:
    """`stem` followed by the next sequence of `width` digits among `model.number`s that start with it."""
    last = db.session.scalar(select(func.max(model.number)).where(model.number.startswith(stem, autoescape=True)))
    following = int(last[len(stem):]) + 1 if last and last[len(stem):].isdigit() else 1
    return f"{stem}{following:0{width}d}"


def monthly(prefix: str, model, month: str | None = None) -> str:
    """PREFIX-YYYYMM-NNNN for the month (default: this business month)."""
    month = month or f"{today_local():%Y-%m}"
    return next_number(model, f"{prefix}-{month.replace('-', '')}-")
