"""open data: finished public answers stored under a validator of their inputs, and the validator's indexes

Revision ID: c6f1a8e3d2b7
Revises: d9e4f1a7c2b5
Create Date: 2026-11-30 21:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c6f1a8e3d2b7"
down_revision = "d9e4f1a7c2b5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opendata_answer",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_opendata_answer")),
    )
    with op.batch_alter_table("opendata_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_opendata_answer_created_at"), ["created_at"], unique=False)
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index("ix_shift_starts_updated", ["starts_at", "updated_at"], unique=False)
    with op.batch_alter_table("shift_signup", schema=None) as batch_op:
        batch_op.create_index("ix_shift_signup_shift_updated", ["shift_id", "updated_at"], unique=False)
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_observation_linked_updated",
            ["observed_at", "updated_at", "incident_id"],
            unique=False,
            sqlite_where=sa.text("incident_id IS NOT NULL"),
            postgresql_where=sa.text("incident_id IS NOT NULL"),
        )


def downgrade():
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_linked_updated")
    with op.batch_alter_table("shift_signup", schema=None) as batch_op:
        batch_op.drop_index("ix_shift_signup_shift_updated")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index("ix_shift_starts_updated")
    with op.batch_alter_table("opendata_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opendata_answer_created_at"))
    op.drop_table("opendata_answer")
