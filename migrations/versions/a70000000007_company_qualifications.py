"""Office: the company's own licences and qualifications (公司资质); tender documents;
attachments of notices and policies.

Revision ID: a70000000007
Revises: f2a3b4c5d6e7
Create Date: 2026-12-03 11:40:00
"""

import sqlalchemy as sa
from alembic import op

from intranet.models.types import UTCDateTime

revision = "a70000000007"
down_revision = "f2a3b4c5d6e7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "qualification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issuer", sa.String(length=120), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qualification") as batch_op:
        batch_op.create_index("ix_qualification_name", ["name"], unique=False)
        batch_op.create_index("ix_qualification_expires_on", ["expires_on"], unique=False)
    op.create_table(
        "tender_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tender_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tender_id"], ["tender.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tender_file") as batch_op:
        batch_op.create_index("ix_tender_file_tender_id", ["tender_id"], unique=False)
    op.create_table(
        "notice_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notice_file") as batch_op:
        batch_op.create_index("ix_notice_file_notice_id", ["notice_id"], unique=False)


def downgrade():
    with op.batch_alter_table("notice_file") as batch_op:
        batch_op.drop_index("ix_notice_file_notice_id")
    op.drop_table("notice_file")
    with op.batch_alter_table("tender_file") as batch_op:
        batch_op.drop_index("ix_tender_file_tender_id")
    op.drop_table("tender_file")
    with op.batch_alter_table("qualification") as batch_op:
        batch_op.drop_index("ix_qualification_expires_on")
        batch_op.drop_index("ix_qualification_name")
    op.drop_table("qualification")
