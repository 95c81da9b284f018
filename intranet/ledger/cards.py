"""Desk cards and nav links of the petty-cash ledger."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import LedgerEntry, User
from ..services import expenses, ledger
from ..web.desk import card, nav


@card("petty_cash", "ledger/cards/petty_cash.html", ("assistant",), order=15)
def petty_cash_card(user: User) -> dict:
    account = ledger.find_account(user)
    unconfirmed = 0
    if account is not None:
        unconfirmed = db.session.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.account_id == account.id, LedgerEntry.confirmed_by_id.is_(None)))
    to_pay = db.session.scalar(select(func.count()).select_from(expenses.awaiting_payment().subquery()))
    return {"account": account, "unconfirmed": unconfirmed, "to_pay": to_pay}


@card("ledger_confirm", "ledger/cards/confirm.html", ledger.CONFIRMERS, order=15)
def confirm_card(user: User) -> dict:
    stmt = ledger.unconfirmed(for_user=user)
    count = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    from ..services import advances

    return {"count": count, "latest": list(db.session.scalars(stmt.limit(5))),
            "settlements": ledger.pending_settlements() if user.role == "finance" else [],
            "advances_to_pay": list(db.session.scalars(advances.awaiting_payout().limit(5)))
            if user.role == "finance" else [],
            "kind_labels": ledger.KIND_LABELS}


nav("ledger.statement", _l("备用金台账"), ledger.READERS, order=40)
nav("ledger.confirm_queue", _l("备用金复核"), ledger.CONFIRMERS, order=41)
