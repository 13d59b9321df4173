"""calendar body hash

A subscription remembers the SHA-256 of the last calendar body it imported completely, so a server
that ignores conditional GET (no ETag, or a 200 with the same bytes) costs a download and a hash,
not a parse and a plan. No data step: the first sync after the upgrade fills it.

Revision ID: e5a1c0d7b9f2
Revises: e5a1c9d2f7b3
Create Date: 2026-11-30 16:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a1c0d7b9f2"
down_revision = "e5a1c9d2f7b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calendar_source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_sha256", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("calendar_source", schema=None) as batch_op:
        batch_op.drop_column("body_sha256")
