"""shared storage and job locks

Photos and pending imports move from each host's UPLOAD_DIR into the database (``stored_blob`` and
its chunks, ``pending_import``), so every app host sees them; ``job_lock`` lets a scheduled command
run once at a time on SQLite (PostgreSQL uses advisory locks). Files already on disk are moved by
``flask storage migrate-files``, not here: a migration never reads the app's folders.

Revision ID: e5a1c9d2f7b3
Revises: 330b04a390ab
Create Date: 2026-11-30 16:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e5a1c9d2f7b3"
down_revision = "330b04a390ab"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_blob",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stored_blob")),
    )
    with op.batch_alter_table("stored_blob", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_blob_created_at"), ["created_at"], unique=False)
    op.create_table(
        "stored_blob_chunk",
        sa.Column("blob_key", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_key"],
            ["stored_blob.key"],
            name=op.f("fk_stored_blob_chunk_blob_key_stored_blob"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("blob_key", "position", name=op.f("pk_stored_blob_chunk")),
    )
    op.create_table(
        "pending_import",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("courthouse_id", sa.Integer(), nullable=True),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_pending_import_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_pending_import")),
    )
    with op.batch_alter_table("pending_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_import_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_pending_import_user_id"), ["user_id"], unique=False)
    op.create_table(
        "job_lock",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_lock")),
    )
    with op.batch_alter_table("job_lock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_lock_expires_at"), ["expires_at"], unique=False)


def downgrade():
    with op.batch_alter_table("job_lock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_lock_expires_at"))
    op.drop_table("job_lock")
    with op.batch_alter_table("pending_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_import_user_id"))
        batch_op.drop_index(batch_op.f("ix_pending_import_created_at"))
    op.drop_table("pending_import")
    op.drop_table("stored_blob_chunk")
    with op.batch_alter_table("stored_blob", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_blob_created_at"))
    op.drop_table("stored_blob")
