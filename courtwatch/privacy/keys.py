"""Envelope encryption for private fields: AES-256-GCM data keys wrapped by a master key.

Why: deleting a row does not erase it. Database pages, PostgreSQL's WAL, replicas and backups keep
old bytes for months. So a hearing's caption, case number and notes, and the accompanied person's
details, are stored only as ciphertext under a data key that belongs to that hearing; purging the
hearing deletes its data key and every copy of the ciphertext becomes unreadable (crypto-shredding).

Data keys live in the ``data_key`` table, each wrapped (AES-GCM) by the master key, which comes from
configuration and never touches the database. A wrapped key starts with the fingerprint of the
master key that wrapped it, so during a rotation several master keys can be configured (the first
wraps, the rest only unwrap) and ``rotate_master_key`` re-wraps everything under the first.

Every sealed value is bound (as GCM associated data) to the name of its field and the id of its
key, so a value copied into another column or another hearing fails to open instead of passing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from flask import current_app
from sqlalchemy import insert, select

from courtwatch.db import db
from courtwatch.db import dialect_insert as db_dialect_insert
from courtwatch.privacy.models import DataKey


def _aesgcm():
    """AES-GCM, loaded by the first sealing or unsealing: cryptography's bindings cost every
    command start ~0.03 s otherwise (the models import this module)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM


def _invalid_tag():
    from cryptography.exceptions import InvalidTag

    return InvalidTag


NONCE_BYTES = 12
FINGERPRINT_BYTES = 8
MATCH_KEY_ID = "hearing-match"
_SESSION_CACHE = "courtwatch_data_keys"


class KeyUnavailable(RuntimeError):
    """A data key cannot be opened: the master key is missing or wrong (never shown to users)."""


def generate_master_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _decode(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode())
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise KeyUnavailable("MASTER_KEY must be base64 of 32 random bytes.")
    return raw


def master_keys() -> list[bytes]:
    """The configured master keys, the one that wraps first."""
    configured = str(current_app.config.get("MASTER_KEY") or "")
    cache = current_app.extensions.setdefault("courtwatch_master_keys", {})
    if configured not in cache:
        keys = [_decode(part) for part in configured.split(",") if part.strip()]
        if not keys:
            raise KeyUnavailable(
                "No master key configured: set COURTWATCH_MASTER_KEY (make run writes instance/master.key)."
            )
        cache.clear()
        cache[configured] = keys
    return cache[configured]


def fingerprint(master: bytes) -> bytes:
    return hashlib.sha256(b"courtwatch master key fingerprint\0" + master).digest()[:FINGERPRINT_BYTES]


def _wrap_aad(key_id: str) -> bytes:
    return b"courtwatch data key\0" + key_id.encode()


def wrap(raw_key: bytes, key_id: str, master: bytes | None = None) -> bytes:
    master = master or master_keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    return fingerprint(master) + nonce + _aesgcm()(master).encrypt(nonce, raw_key, _wrap_aad(key_id))


def unwrap(wrapped: bytes, key_id: str) -> bytes:
    mark, nonce, body = (
        wrapped[:FINGERPRINT_BYTES],
        wrapped[FINGERPRINT_BYTES : FINGERPRINT_BYTES + NONCE_BYTES],
        wrapped[FINGERPRINT_BYTES + NONCE_BYTES :],
    )
    for master in master_keys():
        if hmac.compare_digest(fingerprint(master), mark):
            try:
                return _aesgcm()(master).decrypt(nonce, body, _wrap_aad(key_id))
            except _invalid_tag():
                break
    raise KeyUnavailable("A data key could not be unwrapped with the configured master key(s).")


def _cache() -> dict[str, bytes]:
    return db.session.info.setdefault(_SESSION_CACHE, {})


def new_data_key() -> DataKey:
    """A fresh data key row (not yet added to the session); its raw key is cached for this session."""
    key_id = secrets.token_hex(16)
    raw = _aesgcm().generate_key(bit_length=256)
    _cache()[key_id] = raw
    return DataKey(id=key_id, wrapped=wrap(raw, key_id))


def new_data_key_row() -> dict:
    """The same, as a plain row for Core inserts (imports write hearings in bulk)."""
    row = new_data_key()
    return {"id": row.id, "wrapped": row.wrapped}


def raw_data_key(key_id: str, wrapped: bytes | None = None) -> bytes:
    cache = _cache()
    raw = cache.get(key_id)
    if raw is None:
        if wrapped is None:
            wrapped = db.session.scalar(select(DataKey.wrapped).where(DataKey.id == key_id))
            if wrapped is None:
                raise KeyUnavailable("This data key was destroyed.")
        raw = cache[key_id] = unwrap(wrapped, key_id)
    return raw


def forget_data_keys(key_ids) -> None:
    cache = _cache()
    for key_id in key_ids:
        cache.pop(key_id, None)


def _value_aad(key_id: str, field: str) -> bytes:
    return f"courtwatch sealed\0{field}\0{key_id}".encode()


def seal(key_id: str, field: str, text: str | None, wrapped: bytes | None = None) -> bytes | None:
    """Encrypt one field's text; empty text is stored as NULL (nothing to hide)."""
    if not text:
        return None
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _aesgcm()(raw_data_key(key_id, wrapped)).encrypt(nonce, text.encode(), _value_aad(key_id, field))


def open_sealed(key_id: str | None, field: str, blob: bytes | None, wrapped: bytes | None = None) -> str:
    """The text of a sealed field; "" once its key is gone (purged)."""
    if blob is None or key_id is None:
        return ""
    raw = raw_data_key(key_id, wrapped)
    return (
        _aesgcm()(raw).decrypt(bytes(blob[:NONCE_BYTES]), bytes(blob[NONCE_BYTES:]), _value_aad(key_id, field)).decode()
    )


# ---------------------------------------------------------------- keyed hashes for matching
def _match_secret() -> bytes:
    """The HMAC key re-imports match on, created once and kept wrapped like any data key, so it
    survives master key rotation (a changed HMAC key would turn every re-import into new rows)."""
    cache = _cache()
    secret = cache.get(MATCH_KEY_ID)
    if secret is not None:
        return secret
    wrapped = db.session.scalar(select(DataKey.wrapped).where(DataKey.id == MATCH_KEY_ID))
    if wrapped is None:
        dialect_insert = db_dialect_insert(db.session.connection().dialect.name)
        values = {"id": MATCH_KEY_ID, "wrapped": wrap(os.urandom(32), MATCH_KEY_ID)}
        if dialect_insert is None:
            db.session.execute(insert(DataKey).values(**values))
        else:
            # Two first imports at once: the second keeps the first one's key.
            db.session.execute(dialect_insert(DataKey).values(**values).on_conflict_do_nothing())
        wrapped = db.session.scalar(select(DataKey.wrapped).where(DataKey.id == MATCH_KEY_ID))
    secret = cache[MATCH_KEY_ID] = unwrap(wrapped, MATCH_KEY_ID)
    return secret


def match_key(raw_key: str) -> str:
    """What a re-import matches a hearing on: an HMAC of the reader's key (which may hold a case
    number or a court's event UID), never the key itself."""
    return "h1:" + hmac.new(_match_secret(), raw_key.encode(), hashlib.sha256).hexdigest()


def private_digest(*values: str) -> str:
    """A keyed digest of private fields, so an import can tell "changed" from "same" without
    opening every hearing's data key."""
    message = "\x1f".join(value or "" for value in values).encode()
    return hmac.new(_match_secret(), b"digest\0" + message, hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- rotation
def rotate_master_key(batch: int = 500) -> int:
    """Re-wrap every data key still wrapped by another master key under the first configured one."""
    current = master_keys()[0]
    mark = fingerprint(current)
    rotated = 0
    last_id = ""
    while True:
        rows = db.session.execute(
            select(DataKey.id, DataKey.wrapped).where(DataKey.id > last_id).order_by(DataKey.id).limit(batch)
        ).all()
        if not rows:
            return rotated
        for key_id, wrapped in rows:
            if bytes(wrapped[:FINGERPRINT_BYTES]) != mark:
                raw = unwrap(bytes(wrapped), key_id)
                db.session.execute(
                    DataKey.__table__.update().where(DataKey.id == key_id).values(wrapped=wrap(raw, key_id, current))
                )
                rotated += 1
        last_id = rows[-1][0]
