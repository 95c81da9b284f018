"""Performance: a partial index for the unconfirmed petty-cash entries (confirmed_by_id IS NULL).

The plain indexes on ledger_entry.confirmed_by_id and expense_line.spent_on already exist
(c7d8e9f0a1b2); this adds the partial one the desk card and the confirmation queue use.

Revision ID: a10000000001
Revises: f2a3b4c5d6e7
"""

import sqlalchemy as sa
from alembic import op

revision = "a10000000001"
down_revision = "f2a3b4c5d6e7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_ledger_entry_unconfirmed", "ledger_entry", ["account_id", "id"], unique=False,
                    postgresql_where=sa.text("confirmed_by_id IS NULL"),
                    sqlite_where=sa.text("confirmed_by_id IS NULL"))


def downgrade():
    op.drop_index("ix_ledger_entry_unconfirmed", table_name="ledger_entry")
