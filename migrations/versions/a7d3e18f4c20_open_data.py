"""open data: publication settings and partner API tokens

The campaign's open-data choices (one row, publication off until an admin turns it on) and the
hashed tokens partner organisations pull de-identified incident rows with (courtwatch/opendata).

Revision ID: a7d3e18f4c20
Revises: 562b9776dd04
Create Date: 2026-11-30 12:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7d3e18f4c20"
down_revision = "562b9776dd04"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opendata_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("introduction", sa.Text(), nullable=False),
        sa.Column("sections", sa.String(length=300), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("published_from", sa.String(length=7), nullable=False),
        sa.Column("date_precision", sa.String(length=10), nullable=False),
        sa.Column("frame_ancestors", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_opendata_settings_updated_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendata_settings")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_api_token_created_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )


def downgrade():
    op.drop_table("api_token")
    op.drop_table("opendata_settings")
