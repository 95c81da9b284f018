"""Merge the December modules, each from f2a3b4c5d6e7: the unconfirmed-ledger partial index
(a10000000001), office qualifications and attachments
(a70000000007), report runs (b20000000002), targets (c30000000003), quotations and
contracts (d40000000004), receivables (e50000000005),
orders' stock counts, certificate checks and price changes (f60000000006).

Revision ID: 9a0b1c2d3e4f
Revises: a10000000001, a70000000007, b20000000002, c30000000003, d40000000004, e50000000005, f60000000006
Create Date: 2026-12-03 12:00:00
"""

revision = "9a0b1c2d3e4f"
down_revision = ("a10000000001", "a70000000007", "b20000000002", "c30000000003", "d40000000004", "e50000000005", "f60000000006")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
