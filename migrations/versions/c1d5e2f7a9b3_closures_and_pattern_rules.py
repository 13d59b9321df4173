"""closure days and pattern rules

Courthouses (or every courthouse of a state) get closure days, and shift patterns gain a rule:
every week (what every existing pattern was, and stays), every other week, or monthly on the nth
weekday.

Revision ID: c1d5e2f7a9b3
Revises: e5c0a7d31f42
Create Date: 2026-11-30 16:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c1d5e2f7a9b3"
down_revision = "e5c0a7d31f42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "court_closure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("courthouse_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=2), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(courthouse_id IS NULL AND state IS NOT NULL) OR (courthouse_id IS NOT NULL AND state IS NULL)",
            name=op.f("ck_court_closure_one_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["courthouse_id"],
            ["courthouse.id"],
            name=op.f("fk_court_closure_courthouse_id_courthouse"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_court_closure_created_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_closure")),
    )
    with op.batch_alter_table("court_closure", schema=None) as batch_op:
        batch_op.create_index("ix_court_closure_day", ["day"], unique=False)
        batch_op.create_index(
            "uq_court_closure_courthouse_day",
            ["courthouse_id", "day"],
            unique=True,
            sqlite_where=sa.text("courthouse_id IS NOT NULL"),
            postgresql_where=sa.text("courthouse_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_court_closure_state_day",
            ["state", "day"],
            unique=True,
            sqlite_where=sa.text("state IS NOT NULL"),
            postgresql_where=sa.text("state IS NOT NULL"),
        )

    # Existing patterns were weekly: the server default makes every existing row "weekly".
    with op.batch_alter_table("shift_pattern", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rule", sa.String(length=20), server_default="weekly", nullable=False))
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("month_weeks", sa.String(length=20), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("shift_pattern", schema=None) as batch_op:
        batch_op.drop_column("month_weeks")
        batch_op.drop_column("starts_on")
        batch_op.drop_column("rule")
    with op.batch_alter_table("court_closure", schema=None) as batch_op:
        batch_op.drop_index("uq_court_closure_state_day")
        batch_op.drop_index("uq_court_closure_courthouse_day")
        batch_op.drop_index("ix_court_closure_day")
    op.drop_table("court_closure")
