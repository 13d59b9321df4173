"""open data: each month's suppression remembered under a hash of its inputs

Revision ID: d18e5a0c7b21
Revises: b10641475752
Create Date: 2026-11-30 16:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d18e5a0c7b21"
down_revision = "b10641475752"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opendata_suppression",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("hidden", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_opendata_suppression")),
    )
    with op.batch_alter_table("opendata_suppression", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opendata_suppression_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("opendata_suppression", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opendata_suppression_created_at"))
    op.drop_table("opendata_suppression")
