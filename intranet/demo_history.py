"""The demo's past quarter, on top of the base demo (intranet/demo.py): about ninety days of ordinary
department life, so every desk and list looks lived in — sixty more customers, monthly visit plans with
their reports and reviews, claims approved and paid (advances offset, this month's petty cash), returns
in every state, attendance, eleven months of orders shipped, invoiced and mostly paid, the reps' daily sheets, quotations and contracts in every state, sample requests issued, and the office registers' quarter.

Kept apart from `seed()`: the test suite copies the base demo as its fixture data and relies on its exact
contents. `flask seed-demo` and the first start of `make run` load both. Every part is idempotent, so a
second call creates nothing; stamps fall in office hours on working days (chinese-calendar aware), and the
notices the services send while seeding are removed.
"""

from sqlalchemy import select

from .extensions import db
from .models import User


def _parts():
    from .attendance.history import seed_history_attendance
    from .contracts.history import seed_history_contracts
    from .customers.history import seed_history_customers
    from .daily.history import seed_history_daily
    from .expenses.history import seed_history_expenses
    from .office.history import seed_history_office
    from .orders.history import seed_history_orders
    from .returns.history import seed_history_returns
    from .samples.history import seed_history_samples
    from .visits.history import seed_history_visits

    # customers first: the visits, claims and returns name them
    return [seed_history_customers, seed_history_visits, seed_history_expenses, seed_history_returns,
            seed_history_attendance, seed_history_orders, seed_history_daily,
            seed_history_contracts, seed_history_samples, seed_history_office]


def seed_history(users: dict[str, User] | None = None) -> int:
    """Returns how many rows were created (0 when the history is already there or the base demo is not)."""
    if users is None:
        users = {u.username: u for u in db.session.scalars(select(User))}
    if any(name not in users for name in ("rep1", "rep2", "rep3", "rep4", "assistant", "finance")):
        return 0
    created = 0
    for part in _parts():
        created += part(users) or 0
    db.session.flush()
    return created
