"""Merge the attendance and samples heads (both grew from the workflow schema).

Revision ID: b1f0c3d2e4a5
Revises: 44bc17557bd3, 5cea616ed22f
Create Date: 2026-12-02 13:55:00
"""

revision = "b1f0c3d2e4a5"
down_revision = ("44bc17557bd3", "5cea616ed22f")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
