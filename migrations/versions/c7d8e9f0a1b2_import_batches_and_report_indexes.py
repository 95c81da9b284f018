"""Large customer imports checked and saved by the worker (import_batch); indexes for the spend
window (expense_line.spent_on) and the unconfirmed-ledger count (ledger_entry.confirmed_by_id).

Revision ID: c7d8e9f0a1b2
Revises: b1f0c3d2e4a5
Create Date: 2026-12-02 16:00:00
"""

import sqlalchemy as sa
from alembic import op

import intranet.models.types

revision = "c7d8e9f0a1b2"
down_revision = "b1f0c3d2e4a5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("valid_rows", sa.Integer(), nullable=False),
        sa.Column("error_rows", sa.Integer(), nullable=False),
        sa.Column("imported_rows", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", intranet.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", intranet.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_import_batch_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
        sa.UniqueConstraint("token", name=op.f("uq_import_batch_token")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batch_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("expense_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expense_line_spent_on"), ["spent_on"], unique=False)
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entry_confirmed_by_id"), ["confirmed_by_id"], unique=False)


def downgrade():
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entry_confirmed_by_id"))
    with op.batch_alter_table("expense_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expense_line_spent_on"))
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batch_user_id"))
    op.drop_table("import_batch")
