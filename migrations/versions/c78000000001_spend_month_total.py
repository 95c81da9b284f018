"""Spend summary (spend_month_total): the desks' spend card reads it instead of six months of lines.

Filled from the existing claims and ledger by services.spend_summary.rebuild()'s SQL, so an existing
database shows the same figures right after the upgrade.

Revision ID: c78000000001
Revises: c79000000001 (the receivables indexes, written in parallel from c77000000001)
"""

import sqlalchemy as sa
from alembic import op

revision = "c78000000001"
down_revision = "c79000000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "spend_month_total",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["user.id"], name=op.f("fk_spend_month_total_person_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_month_total")),
        sa.UniqueConstraint("month", "person_id", "category", "source", name="uq_spend_month_total"),
    )
    op.create_index(op.f("ix_spend_month_total_person_id"), "spend_month_total", ["person_id"], unique=False)
    # Written out here (not imported from the service) so the migration stays what it was when the models
    # move on. Cents: rounded per line/entry, as the service adds them.
    postgres = op.get_bind().dialect.name == "postgresql"
    month = "to_char(l.spent_on, 'YYYY-MM')" if postgres else "strftime('%Y-%m', l.spent_on)"
    op.execute(f"""
        INSERT INTO spend_month_total (month, person_id, category, source, cents)
        SELECT {month}, c.claimant_id, l.category, 'claim', SUM(CAST(ROUND(l.amount * 100) AS BIGINT))
        FROM expense_line l JOIN expense_claim c ON l.claim_id = c.id
        WHERE c.status IN ('approved', 'paid')
        GROUP BY {month}, c.claimant_id, l.category""")
    category = "CASE WHEN e.category IS NULL OR e.category = '' THEN 'other' ELSE e.category END"
    op.execute(f"""
        INSERT INTO spend_month_total (month, person_id, category, source, cents)
        SELECT e.period, a.custodian_id, {category}, 'petty_cash', SUM(-CAST(ROUND(e.amount * 100) AS BIGINT))
        FROM ledger_entry e JOIN petty_cash_account a ON e.account_id = a.id
        WHERE e.kind = 'disbursement'
          AND e.id NOT IN (SELECT r.reverses_id FROM ledger_entry r WHERE r.reverses_id IS NOT NULL)
        GROUP BY e.period, a.custodian_id, {category}""")


def downgrade():
    op.drop_index(op.f("ix_spend_month_total_person_id"), table_name="spend_month_total")
    op.drop_table("spend_month_total")
