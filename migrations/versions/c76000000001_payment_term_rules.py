"""Payment-terms rules (付款条件规则, issue 19): by customer class and contract amount, the deposit at
signing and when the balance is due; contract.payment_rule_id names the rule that wrote a contract's
payment terms (NULL: typed by hand, as every contract before this revision).

Revision ID: c76000000001
Revises: c74000000001
Create Date: 2026-12-03 17:51:28.026236

"""
from alembic import op
import sqlalchemy as sa

import intranet.models.types


# revision identifiers, used by Alembic.
revision = 'c76000000001'
down_revision = 'c74000000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_term_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_kind', sa.String(length=20), nullable=True),
    sa.Column('min_amount', intranet.models.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('deposit_percent', intranet.models.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('balance_rule', sa.String(length=20), nullable=False),
    sa.Column('balance_days', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', intranet.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_term_rule'))
    )
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_rule_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_contract_payment_rule_id_payment_term_rule'), 'payment_term_rule', ['payment_rule_id'], ['id'])



def downgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contract_payment_rule_id_payment_term_rule'), type_='foreignkey')
        batch_op.drop_column('payment_rule_id')

    op.drop_table('payment_term_rule')
