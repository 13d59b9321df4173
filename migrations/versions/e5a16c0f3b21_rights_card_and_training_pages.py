"""rights card and training pages

Issue 16: the know-your-rights card per language (admins' edits; no row means the shipped text),
training pages with versioned "I have read this" marks, and a per-training flag that makes
reading every page a condition for recording the training.

Revision ID: e5a16c0f3b21
Revises: e5a1c0d7b9f2
Create Date: 2026-11-30 16:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a16c0f3b21"
down_revision = "e5a1c0d7b9f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rights_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=12), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_rights_card_updated_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_card")),
        sa.UniqueConstraint("locale", name=op.f("uq_rights_card_locale")),
    )
    op.create_table(
        "training_page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["training_id"], ["training.id"], name=op.f("fk_training_page_training_id_training"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_training_page_updated_by_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_page")),
        sa.UniqueConstraint("slug", name=op.f("uq_training_page_slug")),
    )
    with op.batch_alter_table("training_page", schema=None) as batch_op:
        batch_op.create_index("ix_training_page_training_position", ["training_id", "position"], unique=False)
    op.create_table(
        "training_page_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["training_page.id"],
            name=op.f("fk_training_page_read_page_id_training_page"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_training_page_read_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_page_read")),
        sa.UniqueConstraint("page_id", "user_id", "version", name="uq_training_page_read_version"),
    )
    with op.batch_alter_table("training_page_read", schema=None) as batch_op:
        batch_op.create_index("ix_training_page_read_user", ["user_id", "page_id"], unique=False)
    with op.batch_alter_table("training", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pages_required", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("training", schema=None) as batch_op:
        batch_op.drop_column("pages_required")
    with op.batch_alter_table("training_page_read", schema=None) as batch_op:
        batch_op.drop_index("ix_training_page_read_user")
    op.drop_table("training_page_read")
    with op.batch_alter_table("training_page", schema=None) as batch_op:
        batch_op.drop_index("ix_training_page_training_position")
    op.drop_table("training_page")
    op.drop_table("rights_card")
