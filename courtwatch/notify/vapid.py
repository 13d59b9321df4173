"""The VAPID key pair (RFC 8292) that identifies this server to push services.

``python -m courtwatch.notify.vapid DIR`` writes ``DIR/vapid_private_key`` (the P-256 private
number, base64url) and ``DIR/vapid_public_key`` (the uncompressed point, base64url: what a browser
takes as ``applicationServerKey``). ``make run`` does this once, like the master key.
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_key_pair() -> tuple[str, str]:
    """(private, public), both base64url without padding."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(private), b64url(public)


def write_key_pair(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    private, public = new_key_pair()
    for name, value in (("vapid_private_key", private), ("vapid_public_key", public)):
        descriptor = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(value + "\n")


if __name__ == "__main__":
    write_key_pair(Path(sys.argv[1] if len(sys.argv) > 1 else "instance"))
