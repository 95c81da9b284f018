"""Performance (issue 10): indexes for the day's planned visits (planned_visit.date: the attendance
board and field days) and the returns register's period (return_request.signed_at).

Revision ID: c74000000001
Revises: c75000000001
"""

from alembic import op

revision = "c74000000001"
down_revision = "c75000000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_planned_visit_date", "planned_visit", ["date"], unique=False)
    op.create_index("ix_return_request_signed_at", "return_request", ["signed_at"], unique=False)


def downgrade():
    op.drop_index("ix_return_request_signed_at", table_name="return_request")
    op.drop_index("ix_planned_visit_date", table_name="planned_visit")
