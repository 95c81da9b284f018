"""Reminder schedule: what each periodic job run sent (job_run.sent) and whether it failed.

Revision ID: b20000000002
Revises: f2a3b4c5d6e7
Create Date: 2026-12-03 10:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b20000000002"
down_revision = "f2a3b4c5d6e7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("job_run") as batch:
        batch.add_column(sa.Column("sent", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("failed", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("job_run") as batch:
        batch.drop_column("failed")
        batch.drop_column("sent")
