"""shift attendance confirmation

"Still coming?" the day before a shift: when each claimed sign-up was asked, and when the
volunteer said yes (from the link in the message or from the shift page).

Revision ID: b8c3e6f2a1d4
Revises: c4a7e1f93d10
Create Date: 2026-11-30 21:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b8c3e6f2a1d4"
down_revision = "c4a7e1f93d10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("shift_signup", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attendance_asked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attendance_confirmed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("shift_signup", schema=None) as batch_op:
        batch_op.drop_column("attendance_confirmed_at")
        batch_op.drop_column("attendance_asked_at")
