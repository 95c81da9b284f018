"""The unconfirmed-entries count and the spend window are served by indexes, not table scans."""

from sqlalchemy import func, inspect, select, text

from intranet.extensions import db
from intranet.models import ExpenseLine, LedgerEntry


def _plan(stmt) -> str:
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    return " ".join(str(row[-1]) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))


def test_indexes_exist_and_the_partial_one_covers_only_unconfirmed_rows(app):
    ledger_indexes = {ix["name"]: ix for ix in inspect(db.engine).get_indexes("ledger_entry")}
    assert "ix_ledger_entry_confirmed_by_id" in ledger_indexes
    unconfirmed = ledger_indexes["ix_ledger_entry_unconfirmed"]
    assert unconfirmed["column_names"] == ["account_id", "id"]
    sql = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'ix_ledger_entry_unconfirmed'"))
    assert "confirmed_by_id IS NULL" in sql
    assert "ix_expense_line_spent_on" in {ix["name"] for ix in inspect(db.engine).get_indexes("expense_line")}


def test_the_card_count_and_the_spend_window_use_them(app):
    count = select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.account_id == 1, LedgerEntry.confirmed_by_id.is_(None))
    plan = _plan(count)  # SQLite without statistics may pick either index; never a table scan
    assert "USING" in plan and "INDEX" in plan and "SCAN ledger_entry" not in plan, plan
    queue = select(LedgerEntry.id).where(LedgerEntry.confirmed_by_id.is_(None)).order_by(LedgerEntry.id)
    assert "SCAN ledger_entry" not in _plan(queue) or "INDEX" in _plan(queue)
    window = select(ExpenseLine.id).where(ExpenseLine.spent_on >= "2026-06-01", ExpenseLine.spent_on <= "2026-11-30")
    assert "ix_expense_line_spent_on" in _plan(window)
