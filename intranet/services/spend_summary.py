"""The spend summary (SpendMonthTotal): what the desks' spend card sums, kept ahead, one row per month,
person, category and source.

Spend is the lines of approved or paid claims (by the month of the expense, per claimant) plus the
petty-cash disbursements not reversed (by period, per custodian). One session listener keeps the table
right in the flush that changes the figures, whichever service made the change (the expense services,
the approval engine's adapter, the ledger): a claim entering or leaving the approved/paid set adds or
subtracts its lines, a disbursement adds, its reversal subtracts. The increments are upserts
(amount = amount + excluded.amount), so two transactions touching the same row serialise on that row
instead of losing one another's change. Rows written around the ORM (scale_data's bulk load) are caught
up by rebuild(), which recomputes the table from the source rows.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import BigInteger, case, cast, delete, event, func, inspect, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import ExpenseClaim, ExpenseLine, LedgerEntry, PettyCashAccount, SpendMonthTotal
from ..models.expenses import APPROVED, PAID
from ..models.ledger import DISBURSEMENT
from ..models.sql import date_month

COUNTED = (APPROVED, PAID)
CLAIM, PETTY_CASH = "claim", "petty_cash"

Key = tuple[str, int, str, str]  # month, person, category, source


def cents_of(amount: Decimal) -> int:
    if not isinstance(amount, Decimal):
        return 0  # a float or a typo: the Money column refuses it in this same flush, so nothing is kept
    return int((amount * 100).to_integral_value())


def cash_category(category: str | None) -> str:
    """A disbursement with no category counts as "other" (as the spend report shows it)."""
    return category or "other"


# ---- incremental ---------------------------------------------------------------------------

def _claim_deltas(claim: ExpenseClaim, sign: int, out: dict[Key, int]) -> None:
    for line in claim.lines:
        out[(line.spent_on.strftime("%Y-%m"), claim.claimant_id, line.category, CLAIM)] += \
            sign * cents_of(line.amount)


def _was_counted(claim: ExpenseClaim) -> bool | None:
    """Whether the claim counted before this flush; None when its status did not change."""
    history = inspect(claim).attrs.status.history
    if not history.has_changes():
        return None
    return bool(history.deleted) and history.deleted[0] in COUNTED


def _entry_deltas(session: Session, entry: LedgerEntry, out: dict[Key, int]) -> None:
    if entry.reverses_id is not None:
        # A reversal takes its original out of the figures (whatever the reversal's own kind).
        original = session.get(LedgerEntry, entry.reverses_id)
        if original is not None and original.kind == DISBURSEMENT:
            _entry_deltas_of(session, original, -1, out)
        return
    if entry.kind == DISBURSEMENT:
        _entry_deltas_of(session, entry, 1, out)


def _entry_deltas_of(session: Session, entry: LedgerEntry, sign: int, out: dict[Key, int]) -> None:
    account = session.get(PettyCashAccount, entry.account_id)
    # Spend is the negative of the (signed, outgoing) amount.
    out[(entry.period, account.custodian_id, cash_category(entry.category), PETTY_CASH)] += \
        -sign * cents_of(entry.amount)


@event.listens_for(Session, "before_flush")
def _keep_summary(session: Session, flush_context, instances) -> None:
    deltas: dict[Key, int] = defaultdict(int)
    for obj in session.new:
        if isinstance(obj, ExpenseClaim) and obj.status in COUNTED:
            _claim_deltas(obj, 1, deltas)
        elif isinstance(obj, LedgerEntry):
            _entry_deltas(session, obj, deltas)
    for obj in session.dirty:
        if isinstance(obj, ExpenseClaim):
            was = _was_counted(obj)
            if was is not None and was != (obj.status in COUNTED):
                _claim_deltas(obj, -1 if was else 1, deltas)
    for obj in session.deleted:
        if isinstance(obj, ExpenseClaim) and (_was_counted(obj) or obj.status in COUNTED):
            _claim_deltas(obj, -1, deltas)
    add(session, deltas)


def add(session: Session, deltas: dict[Key, int]) -> None:
    """Upsert the increments: one statement per changed row (a flush changes a handful)."""
    rows = [{"month": m, "person_id": p, "category": c, "source": s, "cents": v}
            for (m, p, c, s), v in sorted(deltas.items()) if v]
    if not rows:
        return
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for row in rows:
        stmt = dialect.insert(SpendMonthTotal).values(**row)
        connection.execute(stmt.on_conflict_do_update(
            index_elements=["month", "person_id", "category", "source"],
            set_={"cents": SpendMonthTotal.cents + stmt.excluded.cents}))


# ---- rebuild -------------------------------------------------------------------------------

def _cents(column):
    return cast(func.round(column * 100), BigInteger)


def rebuild() -> int:
    """Recompute the whole table from the claims' lines and the ledger (after a bulk load, or to check
    the incremental path). Returns the number of rows."""
    session = db.session
    session.flush()
    session.execute(delete(SpendMonthTotal))
    month = date_month(ExpenseLine.spent_on)
    claims = (select(month, ExpenseClaim.claimant_id, ExpenseLine.category, func.sum(_cents(ExpenseLine.amount)))
              .join(ExpenseClaim, ExpenseLine.claim_id == ExpenseClaim.id)
              .where(ExpenseClaim.status.in_(COUNTED))
              .group_by(month, ExpenseClaim.claimant_id, ExpenseLine.category))
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None)).scalar_subquery()
    category = case((or_(LedgerEntry.category.is_(None), LedgerEntry.category == ""), "other"),
                    else_=LedgerEntry.category)
    cash = (select(LedgerEntry.period, PettyCashAccount.custodian_id, category,
                   func.sum(-_cents(LedgerEntry.amount)))
            .join(PettyCashAccount, LedgerEntry.account_id == PettyCashAccount.id)
            .where(LedgerEntry.kind == DISBURSEMENT, LedgerEntry.id.not_in(reversed_ids))
            .group_by(LedgerEntry.period, PettyCashAccount.custodian_id, category))
    rows = []
    for source, stmt in ((CLAIM, claims), (PETTY_CASH, cash)):
        rows += [{"month": m, "person_id": p, "category": c, "source": source, "cents": int(v)}
                 for m, p, c, v in session.execute(stmt) if v]
    if rows:
        session.execute(SpendMonthTotal.__table__.insert(), rows)
    return len(rows)
