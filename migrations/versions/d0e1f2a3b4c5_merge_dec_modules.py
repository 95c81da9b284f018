"""Merge the heads of the December modules: workflows (c17f1a2b3d4e), office registers (40f3dd8db4c8),
orders (4d0ffaad5af4), pinyin search keys (c7d13b5e9a21), customer import batches and report indexes
(c7d8e9f0a1b2), daily sheets and reports (ec88290fbfad). All grew from b1f0c3d2e4a5.

Revision ID: d0e1f2a3b4c5
Revises: c17f1a2b3d4e, 40f3dd8db4c8, 4d0ffaad5af4, c7d13b5e9a21, c7d8e9f0a1b2, ec88290fbfad
Create Date: 2026-12-02 16:30:00
"""

revision = "d0e1f2a3b4c5"
down_revision = ("c17f1a2b3d4e", "40f3dd8db4c8", "4d0ffaad5af4", "c7d13b5e9a21", "c7d8e9f0a1b2", "ec88290fbfad")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
