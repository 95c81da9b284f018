"""Quotations and contracts (报价单、合同) with lines and change papers.

Revision ID: d40000000004
Revises: f2a3b4c5d6e7
Create Date: 2026-12-03 12:00:00
"""

import sqlalchemy as sa
from alembic import op

import intranet.models.types

revision = "d40000000004"
down_revision = "f2a3b4c5d6e7"
branch_labels = None
depends_on = None

Money = intranet.models.types.Money
When = intranet.models.types.UTCDateTime


def _lines(table, parent):
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(f"{parent}_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", Money(), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.ForeignKeyConstraint([f"{parent}_id"], [f"{parent}.id"]),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(f"ix_{table}_{parent}_id", table, [f"{parent}_id"])


def upgrade():
    op.create_table(
        "quotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("total_amount", Money(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", When(timezone=True), nullable=False),
        sa.Column("approved_at", When(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["rep_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    for col in ("customer_id", "rep_id", "status"):
        op.create_index(f"ix_quotation_{col}", "quotation", [col])
    _lines("quotation_line", "quotation")
    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("quotation_id", sa.Integer(), nullable=True),
        sa.Column("total_amount", Money(), nullable=False),
        sa.Column("payment_terms", sa.Text(), nullable=False),
        sa.Column("delivery_terms", sa.Text(), nullable=False),
        sa.Column("special_clauses", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("created_at", When(timezone=True), nullable=False),
        sa.Column("approved_at", When(timezone=True), nullable=True),
        sa.Column("scan_file_id", sa.Integer(), nullable=True),
        sa.Column("original_received", sa.Boolean(), nullable=False),
        sa.Column("original_received_by_id", sa.Integer(), nullable=True),
        sa.Column("original_received_at", When(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["rep_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["quotation_id"], ["quotation.id"]),
        sa.ForeignKeyConstraint(["original_received_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    for col in ("customer_id", "rep_id", "quotation_id", "status", "signed_on", "scan_file_id"):
        op.create_index(f"ix_contract_{col}", "contract", [col])
    _lines("contract_line", "contract")
    op.create_table(
        "contract_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", When(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"]),
        sa.ForeignKeyConstraint(["by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contract_change_contract_id", "contract_change", ["contract_id"])


def downgrade():
    op.drop_table("contract_change")
    op.drop_table("contract_line")
    op.drop_table("contract")
    op.drop_table("quotation_line")
    op.drop_table("quotation")
