"""message channels: SMS and Web Push beside email, per-kind preferences, priorities

Issue 15 (channels): each outbox row is one message on one channel, with its kind and priority;
browsers' push subscriptions; each person's channels per kind of message.

Revision ID: c4a7e1f93d10
Revises: a7c3e91d0b54
Create Date: 2026-11-30 17:35:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c4a7e1f93d10"
down_revision = "a7c3e91d0b54"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=10), nullable=False, server_default="email"))
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="notice"))
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("link", sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_user_id_user"), "user", ["user_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.drop_index("ix_outbox_message_due")
        batch_op.create_index("ix_outbox_message_due", ["status", "priority", "next_attempt_at"], unique=False)
    op.create_table(
        "push_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False),
        sa.Column("p256dh", sa.String(length=200), nullable=False),
        sa.Column("auth", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_push_subscription_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscription")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_push_subscription_endpoint")),
    )
    with op.batch_alter_table("push_subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_subscription_user_id"), ["user_id"], unique=False)
    op.create_table(
        "channel_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channels", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_channel_preference_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_preference")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_channel_preference_user_id_kind")),
    )


def downgrade():
    op.drop_table("channel_preference")
    with op.batch_alter_table("push_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_subscription_user_id"))
    op.drop_table("push_subscription")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_due")
        batch_op.create_index("ix_outbox_message_due", ["status", "next_attempt_at"], unique=False)
        batch_op.drop_constraint(batch_op.f("fk_outbox_message_user_id_user"), type_="foreignkey")
        batch_op.drop_column("link")
        batch_op.drop_column("user_id")
        batch_op.drop_column("priority")
        batch_op.drop_column("kind")
        batch_op.drop_column("channel")
