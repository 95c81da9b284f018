"""Performance (issue 10): covering indexes for the desks' spend chart — a half-year of expense lines
(spent_on, claim, category, amount) and of petty-cash disbursements (kind, period, account, category,
amount) are summed from the indexes without reading the tables.

Revision ID: c77000000001
Revises: c76000000001
"""

from alembic import op

revision = "c77000000001"
down_revision = "c76000000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_expense_line_spend", "expense_line", ["spent_on", "claim_id", "category", "amount"],
                    unique=False)
    op.create_index("ix_ledger_entry_spend", "ledger_entry", ["kind", "period", "account_id", "category", "amount"],
                    unique=False)


def downgrade():
    op.drop_index("ix_ledger_entry_spend", table_name="ledger_entry")
    op.drop_index("ix_expense_line_spend", table_name="expense_line")
