"""Performance (issue 10): a partial index for the follow-ups not yet done (the desks' overdue and open
follow-up cards), so they no longer read every done follow-up of the department.

Revision ID: c80000000001
Revises: c78000000001
"""

import sqlalchemy as sa
from alembic import op

revision = "c80000000001"
down_revision = "c78000000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_follow_up_open", "follow_up", ["due_on"], unique=False,
                    postgresql_where=sa.text("done_at IS NULL"), sqlite_where=sa.text("done_at IS NULL"))


def downgrade():
    op.drop_index("ix_follow_up_open", table_name="follow_up")
