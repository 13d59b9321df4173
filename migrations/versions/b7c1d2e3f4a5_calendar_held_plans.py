"""calendar held plans

A subscription sync whose plan would cancel too many hearings is kept for a coordinator's review
instead of being applied: the source remembers the held plan's token and when it was held.

Revision ID: b7c1d2e3f4a5
Revises: a7d3e18f4c20
Create Date: 2026-11-30 12:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b7c1d2e3f4a5"
down_revision = "a7d3e18f4c20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calendar_source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_token", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("calendar_source", schema=None) as batch_op:
        batch_op.drop_column("held_at")
        batch_op.drop_column("held_token")
