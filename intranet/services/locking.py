"""Re-reading a row under a row lock, for two people acting on the same record at once."""

from sqlalchemy import select

from ..extensions import db


def lock_row(model, row_id: int):
    """The row, re-read under SELECT … FOR UPDATE (PostgreSQL; SQLite serialises writers already),
    with the session's copy refreshed so a decision is made on what the database holds now."""
    return db.session.scalar(select(model).where(model.id == row_id).with_for_update()
                             .execution_options(populate_existing=True))
