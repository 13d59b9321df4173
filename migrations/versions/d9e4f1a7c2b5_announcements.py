"""announcements: coordinators' messages to volunteers chosen by filters, and their recipients

Issue 15 (announcements). The outbox's new status "cancelled" is a value of a string column and
needs no schema change.

Revision ID: d9e4f1a7c2b5
Revises: b8c3e6f2a1d4
Create Date: 2026-11-30 21:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d9e4f1a7c2b5"
down_revision = "b8c3e6f2a1d4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("send_token", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(length=500), nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_announcement_author_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
        sa.UniqueConstraint("send_token", name=op.f("uq_announcement_send_token")),
    )
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcement_created_at"), ["created_at"], unique=False)
    op.create_table(
        "announcement_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name=op.f("fk_announcement_recipient_announcement_id_announcement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_announcement_recipient_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_recipient")),
        sa.UniqueConstraint(
            "announcement_id", "user_id", name=op.f("uq_announcement_recipient_announcement_id_user_id")
        ),
    )
    with op.batch_alter_table("announcement_recipient", schema=None) as batch_op:
        batch_op.create_index("ix_announcement_recipient_user", ["user_id", "announcement_id"], unique=False)


def downgrade():
    with op.batch_alter_table("announcement_recipient", schema=None) as batch_op:
        batch_op.drop_index("ix_announcement_recipient_user")
    op.drop_table("announcement_recipient")
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcement_created_at"))
    op.drop_table("announcement")
