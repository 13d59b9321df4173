"""seal private fields

Captions, case numbers and hearing notes, and every field of an accompaniment request, move from
plain columns to AES-256-GCM ciphertext under a data key per hearing (table data_key, each key
wrapped by the master key from configuration). Re-import keys become HMACs. Existing rows are
encrypted here, then the plain columns are dropped. Also: the accompaniment-training waiver on
shifts, coordinator confirmation on sign-ups, trusted and paused volunteers.

Frozen: the formats below copy courtwatch/privacy/keys.py as it was when this revision was
written (wrap = fingerprint(8) + nonce(12) + AESGCM; sealed = nonce(12) + AESGCM with associated
data "courtwatch sealed\\0<table>.<field>\\0<key id>"). Nothing here imports courtwatch.

After upgrading, old backups still hold the plain text: destroy them. On PostgreSQL run
VACUUM FULL hearing, accompaniment_request so the old row versions leave the table files.

Revision ID: a7d1e0c5b9f3
Revises: b7c1d2e3f4a5
Create Date: 2026-11-30 12:40:00

"""

import base64
import hashlib
import hmac
import os
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

revision = "a7d1e0c5b9f3"
down_revision = "b7c1d2e3f4a5"
branch_labels = None
depends_on = None

MATCH_KEY_ID = "hearing-match"

data_key = sa.table(
    "data_key",
    sa.column("id", sa.String),
    sa.column("wrapped", sa.LargeBinary),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
hearing = sa.table(
    "hearing",
    sa.column("id", sa.Integer),
    sa.column("external_key", sa.String),
    sa.column("title", sa.String),
    sa.column("case_number", sa.String),
    sa.column("notes", sa.Text),
    sa.column("data_key_id", sa.String),
    sa.column("sealed_title", sa.LargeBinary),
    sa.column("sealed_case_number", sa.LargeBinary),
    sa.column("sealed_notes", sa.LargeBinary),
    sa.column("private_digest", sa.String),
)
REQUEST_FIELDS = ("person_label", "language", "meeting_notes", "private_notes")
request = sa.table(
    "accompaniment_request",
    sa.column("id", sa.Integer),
    sa.column("hearing_id", sa.Integer),
    *[sa.column(name, sa.Text) for name in REQUEST_FIELDS],
    *[sa.column(f"sealed_{name}", sa.LargeBinary) for name in REQUEST_FIELDS],
)


def _master_key() -> bytes:
    from flask import current_app

    configured = str(current_app.config.get("MASTER_KEY") or "").split(",")[0].strip()
    raw = base64.urlsafe_b64decode(configured.encode()) if configured else b""
    if len(raw) != 32:
        raise RuntimeError(
            "Set COURTWATCH_MASTER_KEY (base64 of 32 random bytes) before this upgrade: "
            "it encrypts the hearings and accompaniment requests already stored."
        )
    return raw


def _wrap(master: bytes, raw: bytes, key_id: str) -> bytes:
    mark = hashlib.sha256(b"courtwatch master key fingerprint\0" + master).digest()[:8]
    nonce = os.urandom(12)
    return mark + nonce + AESGCM(master).encrypt(nonce, raw, b"courtwatch data key\0" + key_id.encode())


def _seal(raw: bytes, key_id: str, purpose: str, text) -> bytes | None:
    if not text:
        return None
    nonce = os.urandom(12)
    return nonce + AESGCM(raw).encrypt(nonce, text.encode(), f"courtwatch sealed\0{purpose}\0{key_id}".encode())


def _encrypt_existing(connection) -> None:
    hearing_rows = connection.execute(
        sa.select(hearing.c.id, hearing.c.external_key, hearing.c.title, hearing.c.case_number, hearing.c.notes)
    ).all()
    request_rows = connection.execute(
        sa.select(request.c.id, request.c.hearing_id, *[request.c[name] for name in REQUEST_FIELDS])
    ).all()
    if not hearing_rows and not request_rows:
        return
    master = _master_key()
    now = datetime.now(UTC)
    match = connection.execute(sa.select(data_key.c.id).where(data_key.c.id == MATCH_KEY_ID)).first()
    if match is not None:
        raise RuntimeError("data_key already holds a match key; this upgrade expects plain rows")
    match_secret = os.urandom(32)
    connection.execute(
        data_key.insert().values(id=MATCH_KEY_ID, wrapped=_wrap(master, match_secret, MATCH_KEY_ID), created_at=now)
    )
    keys: dict[int, tuple[str, bytes]] = {}

    def key_for(hearing_id: int) -> tuple[str, bytes]:
        if hearing_id not in keys:
            key_id, raw = secrets.token_hex(16), AESGCM.generate_key(bit_length=256)
            connection.execute(data_key.insert().values(id=key_id, wrapped=_wrap(master, raw, key_id), created_at=now))
            keys[hearing_id] = (key_id, raw)
        return keys[hearing_id]

    requested = {row.hearing_id for row in request_rows}
    for row in hearing_rows:
        values = {
            "private_digest": hmac.new(
                match_secret,
                b"digest\0" + "\x1f".join([row.title or "", row.case_number or "", row.notes or ""]).encode(),
                hashlib.sha256,
            ).hexdigest()
        }
        if row.external_key:
            values["external_key"] = (
                "h1:" + hmac.new(match_secret, row.external_key.encode(), hashlib.sha256).hexdigest()
            )
        if row.title or row.case_number or row.notes or row.id in requested:
            key_id, raw = key_for(row.id)
            values.update(
                data_key_id=key_id,
                sealed_title=_seal(raw, key_id, "hearing.title", row.title),
                sealed_case_number=_seal(raw, key_id, "hearing.case_number", row.case_number),
                sealed_notes=_seal(raw, key_id, "hearing.notes", row.notes),
            )
        connection.execute(hearing.update().where(hearing.c.id == row.id).values(**values))
    for row in request_rows:
        key_id, raw = key_for(row.hearing_id)
        connection.execute(
            request.update()
            .where(request.c.id == row.id)
            .values(
                **{
                    f"sealed_{name}": _seal(raw, key_id, f"accompaniment_request.{name}", getattr(row, name))
                    for name in REQUEST_FIELDS
                }
            )
        )


def upgrade():
    op.create_table(
        "data_key",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_key")),
    )
    with op.batch_alter_table("hearing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_key_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("sealed_title", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("sealed_case_number", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("sealed_notes", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("private_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("private_purged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_hearing_data_key_id"), ["data_key_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_hearing_data_key_id_data_key"), "data_key", ["data_key_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("accompaniment_request", schema=None) as batch_op:
        for name in REQUEST_FIELDS + ("contact",):
            batch_op.add_column(sa.Column(f"sealed_{name}", sa.LargeBinary(), nullable=True))

    _encrypt_existing(op.get_bind())

    with op.batch_alter_table("hearing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hearing_case_number"))
        batch_op.drop_column("title")
        batch_op.drop_column("case_number")
        batch_op.drop_column("notes")
    with op.batch_alter_table("accompaniment_request", schema=None) as batch_op:
        for name in REQUEST_FIELDS:
            batch_op.drop_column(name)

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details_trusted", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("details_paused_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.add_column(sa.Column("training_waived", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("shift_signup", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("details_confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_shift_signup_details_confirmed_by_id_user"),
            "user",
            ["details_confirmed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    # The sealed values cannot come back as plain text here without the master key and would
    # defeat the point; a downgrade keeps the columns' shape and leaves them empty.
    with op.batch_alter_table("shift_signup", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_shift_signup_details_confirmed_by_id_user"), type_="foreignkey")
        batch_op.drop_column("details_confirmed_by_id")
        batch_op.drop_column("details_confirmed_at")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_column("training_waived")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("details_paused_at")
        batch_op.drop_column("details_trusted")
    with op.batch_alter_table("accompaniment_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_label", sa.String(length=60), server_default="", nullable=False))
        batch_op.add_column(sa.Column("language", sa.String(length=60), server_default="", nullable=False))
        batch_op.add_column(sa.Column("meeting_notes", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("private_notes", sa.Text(), server_default="", nullable=False))
        for name in REQUEST_FIELDS + ("contact",):
            batch_op.drop_column(f"sealed_{name}")
    with op.batch_alter_table("hearing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=300), server_default="", nullable=False))
        batch_op.add_column(sa.Column("case_number", sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("notes", sa.Text(), server_default="", nullable=False))
        batch_op.create_index(batch_op.f("ix_hearing_case_number"), ["case_number"], unique=False)
        batch_op.drop_constraint(batch_op.f("fk_hearing_data_key_id_data_key"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_hearing_data_key_id"))
        batch_op.drop_column("private_purged_at")
        batch_op.drop_column("private_digest")
        batch_op.drop_column("sealed_notes")
        batch_op.drop_column("sealed_case_number")
        batch_op.drop_column("sealed_title")
        batch_op.drop_column("data_key_id")
    op.drop_table("data_key")
