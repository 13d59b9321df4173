"""courthouse contact and location

Courthouses imported in bulk (state court lists, the EOIR list) bring coordinates, a phone number
and opening hours; volunteers see them on the courthouse page with a directions link.

Revision ID: e5c0a7d31f42
Revises: d18e5a0c7b21
Create Date: 2026-11-30 16:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e5c0a7d31f42"
down_revision = "d18e5a0c7b21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("courthouse", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("hours", sa.String(length=500), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("courthouse", schema=None) as batch_op:
        batch_op.drop_column("hours")
        batch_op.drop_column("phone")
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
