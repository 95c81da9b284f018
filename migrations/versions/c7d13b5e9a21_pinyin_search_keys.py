"""Pinyin search keys beside customer, user and product names (filled for existing rows)

Revision ID: c7d13b5e9a21
Revises: b1f0c3d2e4a5
Create Date: 2026-12-02 15:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'c7d13b5e9a21'
down_revision = 'b1f0c3d2e4a5'
branch_labels = None
depends_on = None

TABLES = ('customer', 'user', 'product')


def upgrade():
    from intranet.models.search_keys import pinyin_keys

    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_initials', sa.String(length=120), nullable=False, server_default=''))
            batch_op.add_column(sa.Column('name_pinyin', sa.String(length=400), nullable=False, server_default=''))
            batch_op.create_index(batch_op.f(f'ix_{table}_name_initials'), ['name_initials'], unique=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_name_pinyin'), ['name_pinyin'], unique=False)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('name_initials', server_default=None)
            batch_op.alter_column('name_pinyin', server_default=None)
        rows = sa.table(table, sa.column('id'), sa.column('name'), sa.column('name_initials'), sa.column('name_pinyin'))
        bind = op.get_bind()
        for row_id, name in bind.execute(sa.select(rows.c.id, rows.c.name)).all():
            initials, full = pinyin_keys(name)
            bind.execute(rows.update().where(rows.c.id == row_id).values(name_initials=initials, name_pinyin=full))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_name_pinyin'))
            batch_op.drop_index(batch_op.f(f'ix_{table}_name_initials'))
            batch_op.drop_column('name_pinyin')
            batch_op.drop_column('name_initials')
