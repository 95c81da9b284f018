"""Performance (issue 10): each invoice keeps what has been collected on it (confirmed allocations net of
confirmed reversals), and a partial index holds the checked invoices not yet fully collected, so the
receivables register reads the open invoices instead of every invoice and every allocation.

Revision ID: c81000000001
Revises: c80000000001
"""

import sqlalchemy as sa
from alembic import op

revision = "c81000000001"
down_revision = "c80000000001"
branch_labels = None
depends_on = None

OPEN = "status = 'checked' AND amount > collected"


def upgrade():
    with op.batch_alter_table("invoice") as batch:
        batch.add_column(sa.Column("collected", sa.Numeric(14, 2), nullable=False, server_default="0"))
    op.execute("UPDATE invoice SET collected = COALESCE((SELECT SUM(a.amount) FROM payment_allocation a "
               "WHERE a.invoice_id = invoice.id AND a.confirmed_by_id IS NOT NULL), 0)")
    op.create_index("ix_invoice_open", "invoice", ["order_id", "checked_at"], unique=False,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade():
    op.drop_index("ix_invoice_open", table_name="invoice")
    with op.batch_alter_table("invoice") as batch:
        batch.drop_column("collected")
