"""rapid response: on-call windows, alerts, recipients and responses

Issue 15 (on-call, alerts and dispatch): who is on call for a courthouse or a county, the alerts
raised by an arrest report or "Agents here now", who was alerted at which escalation level, who
is going, and volunteers' opt-in to hear about a courthouse when nobody on call answers.

Revision ID: a7c3e91d0b54
Revises: e5a16c0f3b21
Create Date: 2026-11-30 17:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e91d0b54"
down_revision = "e5a16c0f3b21"
branch_labels = None
depends_on = None


def _when(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "on_call_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("courthouse_id", sa.Integer(), nullable=True),
        sa.Column("county", sa.String(length=100), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        _when("starts_at"),
        _when("ends_at"),
        sa.Column("weekly", sa.Boolean(), server_default=sa.false(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["courthouse_id"],
            ["courthouse.id"],
            name=op.f("fk_on_call_window_courthouse_id_courthouse"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_on_call_window_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_on_call_window")),
    )
    with op.batch_alter_table("on_call_window", schema=None) as batch_op:
        batch_op.create_index("ix_on_call_window_span", ["starts_at", "ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_on_call_window_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_on_call_window_courthouse_id"), ["courthouse_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_on_call_window_county"), ["county"], unique=False)

    op.create_table(
        "alert_opt_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("courthouse_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["courthouse_id"],
            ["courthouse.id"],
            name=op.f("fk_alert_opt_in_courthouse_id_courthouse"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_alert_opt_in_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_opt_in")),
        sa.UniqueConstraint("user_id", "courthouse_id", name=op.f("uq_alert_opt_in_user_id_courthouse_id")),
    )
    with op.batch_alter_table("alert_opt_in", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_opt_in_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_opt_in_courthouse_id"), ["courthouse_id"], unique=False)

    op.create_table(
        "alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("courthouse_id", sa.Integer(), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("area", sa.String(length=30), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("agent_count", sa.Integer(), nullable=True),
        _when("raised_at"),
        sa.Column("level", sa.Integer(), nullable=False),
        _when("level_since"),
        _when("stood_down_at", nullable=True),
        sa.Column("verification", sa.String(length=20), nullable=True),
        _when("verified_at", nullable=True),
        sa.ForeignKeyConstraint(["courthouse_id"], ["courthouse.id"], name=op.f("fk_alert_courthouse_id_courthouse")),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observation.id"],
            name=op.f("fk_alert_observation_id_observation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_courthouse_id"), ["courthouse_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_observation_id"), ["observation_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_alert_raised_at"), ["raised_at"], unique=False)

    for table, extra in (
        ("alert_recipient", [sa.Column("level", sa.Integer(), nullable=False), _when("alerted_at")]),
        (
            "alert_response",
            [
                sa.Column("status", sa.String(length=20), nullable=False),
                sa.Column("eta_minutes", sa.Integer(), nullable=True),
                _when("updated_at"),
            ],
        ),
    ):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("alert_id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            *extra,
            sa.ForeignKeyConstraint(
                ["alert_id"], ["alert.id"], name=op.f(f"fk_{table}_alert_id_alert"), ondelete="CASCADE"
            ),
            sa.ForeignKeyConstraint(
                ["user_id"], ["user.id"], name=op.f(f"fk_{table}_user_id_user"), ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("alert_id", "user_id", name=op.f(f"uq_{table}_alert_id_user_id")),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_alert_id"), ["alert_id"], unique=False)
            batch_op.create_index(batch_op.f(f"ix_{table}_user_id"), ["user_id"], unique=False)


def downgrade():
    for table in ("alert_response", "alert_recipient", "alert", "alert_opt_in", "on_call_window"):
        op.drop_table(table)
