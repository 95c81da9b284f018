"""Merge period budgets (e1b2c3d4f5a6) and tenders/partners (04223472887e), both from d0e1f2a3b4c5.

Revision ID: f2a3b4c5d6e7
Revises: e1b2c3d4f5a6, 04223472887e
Create Date: 2026-12-02 17:45:00
"""

revision = "f2a3b4c5d6e7"
down_revision = ("e1b2c3d4f5a6", "04223472887e")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
