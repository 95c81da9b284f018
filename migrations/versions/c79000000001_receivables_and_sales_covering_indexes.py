"""Performance (issue 10): indexes for the receivables register and the targets overview.

- payment_allocation (invoice_id, amount) only for confirmed rows against an invoice: the register's
  "collected" per invoice is summed from this small partial index instead of the table.
- invoice (status, order_id, checked_at, amount): the register reads checked invoices with their
  order, check time and amount from the index.
- sales_order (status, entered_on, id, customer_id, rep_id) and order_line (order_id, product_id,
  amount, quantity): the overview's sums of entered orders over a period join these from the
  indexes alone (index-only scans) instead of reading both tables once per figure.

Revision ID: c79000000001
Revises: c77000000001
"""

import sqlalchemy as sa
from alembic import op

revision = "c79000000001"
down_revision = "c77000000001"
branch_labels = None
depends_on = None

CONFIRMED = "confirmed_by_id IS NOT NULL AND invoice_id IS NOT NULL"


def upgrade():
    op.create_index("ix_payment_allocation_collected", "payment_allocation", ["invoice_id", "amount"], unique=False,
                    postgresql_where=sa.text(CONFIRMED), sqlite_where=sa.text(CONFIRMED))
    op.create_index("ix_invoice_register", "invoice", ["status", "order_id", "checked_at", "amount"], unique=False)
    op.create_index("ix_sales_order_figures", "sales_order", ["status", "entered_on", "id", "customer_id", "rep_id"],
                    unique=False)
    op.create_index("ix_order_line_figures", "order_line", ["order_id", "product_id", "amount", "quantity"],
                    unique=False)


def downgrade():
    op.drop_index("ix_order_line_figures", table_name="order_line")
    op.drop_index("ix_sales_order_figures", table_name="sales_order")
    op.drop_index("ix_invoice_register", table_name="invoice")
    op.drop_index("ix_payment_allocation_collected", table_name="payment_allocation")
