"""regional sales forecasts (区域销售预测)

Revision ID: c75000000001
Revises: c72000000001
Create Date: 2026-12-03 15:40:00

"""
from alembic import op
import sqlalchemy as sa

import intranet.models.types


revision = 'c75000000001'
down_revision = 'c72000000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sales_forecast',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('amount', intranet.models.types.Money(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('filed_at', intranet.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_sales_forecast_forecast_not_negative')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user.id'], name=op.f('fk_sales_forecast_filed_by_id_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_sales_forecast_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales_forecast')),
    sa.UniqueConstraint('region_id', 'period', name='uq_forecast_region_period')
    )
    with op.batch_alter_table('sales_forecast', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sales_forecast_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_forecast_year'), ['year'], unique=False)


def downgrade():
    with op.batch_alter_table('sales_forecast', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sales_forecast_year'))
        batch_op.drop_index(batch_op.f('ix_sales_forecast_region_id'))
    op.drop_table('sales_forecast')
