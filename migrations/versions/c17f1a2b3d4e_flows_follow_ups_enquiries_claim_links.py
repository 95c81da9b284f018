"""Issue 17 workflows: follow-ups tracked to done, enquiries and lead source, claim lines linked to visits.

Revision ID: c17f1a2b3d4e
Revises: b1f0c3d2e4a5
Create Date: 2026-12-02 15:40:00
"""

import sqlalchemy as sa
from alembic import op

import intranet.models.types

revision = "c17f1a2b3d4e"
down_revision = "b1f0c3d2e4a5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "enquiry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", intranet.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("company", sa.String(length=120), nullable=False),
        sa.Column("contact_name", sa.String(length=60), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=120), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", intranet.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", intranet.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["assignee_id"], ["user.id"], name=op.f("fk_enquiry_assignee_id_user")),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_enquiry_customer_id_customer")),
        sa.ForeignKeyConstraint(["region_id"], ["region.id"], name=op.f("fk_enquiry_region_id_region")),
        sa.ForeignKeyConstraint(["registered_by_id"], ["user.id"], name=op.f("fk_enquiry_registered_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enquiry")),
    )
    with op.batch_alter_table("enquiry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enquiry_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enquiry_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_enquiry_region_id"), ["region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enquiry_status"), ["status"], unique=False)
    with op.batch_alter_table("expense_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visit_report_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("trip_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_expense_line_visit_report_id"), ["visit_report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_expense_line_trip_id"), ["trip_id"], unique=False)
        batch_op.create_foreign_key("fk_expense_line_visit_report_id_visit_report", "visit_report",
                                    ["visit_report_id"], ["id"])
        batch_op.create_foreign_key("fk_expense_line_trip_id_trip", "trip", ["trip_id"], ["id"])
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_source", sa.String(length=20), nullable=False, server_default=""))
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("done_at", intranet.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("done_note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("done_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_follow_up_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_due_on"), ["due_on"], unique=False)
        batch_op.create_foreign_key("fk_follow_up_assignee_id_user", "user", ["assignee_id"], ["id"])
        batch_op.create_foreign_key("fk_follow_up_done_by_id_user", "user", ["done_by_id"], ["id"])
    op.execute("UPDATE follow_up SET assignee_id = (SELECT rep_id FROM visit_report WHERE visit_report.id = "
               "follow_up.report_id)")


def downgrade():
    with op.batch_alter_table("expense_line", schema=None) as batch_op:
        batch_op.drop_constraint("fk_expense_line_trip_id_trip", type_="foreignkey")
        batch_op.drop_constraint("fk_expense_line_visit_report_id_visit_report", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_expense_line_trip_id"))
        batch_op.drop_index(batch_op.f("ix_expense_line_visit_report_id"))
        batch_op.drop_column("trip_id")
        batch_op.drop_column("visit_report_id")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_column("lead_source")
    op.drop_table("enquiry")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_constraint("fk_follow_up_done_by_id_user", type_="foreignkey")
        batch_op.drop_constraint("fk_follow_up_assignee_id_user", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_follow_up_due_on"))
        batch_op.drop_index(batch_op.f("ix_follow_up_assignee_id"))
        batch_op.drop_column("done_by_id")
        batch_op.drop_column("done_note")
        batch_op.drop_column("done_at")
        batch_op.drop_column("assignee_id")
