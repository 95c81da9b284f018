"""Period expense budgets (费用预算) for the department, regions and people, by category.

Revision ID: e1b2c3d4f5a6
Revises: d0e1f2a3b4c5
Create Date: 2026-12-02 17:15:00
"""

import sqlalchemy as sa
from alembic import op

import intranet.models.types

revision = "e1b2c3d4f5a6"
down_revision = "d0e1f2a3b4c5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "expense_budget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("scope_key", sa.String(length=20), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("amount", intranet.models.types.Money(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", intranet.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_expense_budget_budget_not_negative")),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_expense_budget_region_id_region")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"], name=op.f("fk_expense_budget_updated_by_id_user")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_expense_budget_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expense_budget")),
        sa.UniqueConstraint("period", "scope_key", "category", name="uq_expense_budget_scope"),
    )
    with op.batch_alter_table("expense_budget", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expense_budget_period"), ["period"], unique=False)


def downgrade():
    with op.batch_alter_table("expense_budget", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expense_budget_period"))
    op.drop_table("expense_budget")
