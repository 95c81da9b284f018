"""Counting the SQL statements a block runs (the query-count tests: counts stay constant in rows)."""

from contextlib import contextmanager

from sqlalchemy import event

from intranet.extensions import db


@contextmanager
def count_queries():
    """Yields the list of statements the engine executes inside the block."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
