"""`flask storage migrate-files`: move what older releases kept in UPLOAD_DIR into the blob store.

Run it once on each host that has an ``instance/uploads`` folder after upgrading. Each file is
stored and committed on its own, then deleted, so an interrupted run loses nothing and the
command can simply be run again (files already stored are counted, not stored twice).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from courtwatch.commands import transactional
from courtwatch.imports import pending
from courtwatch.observations import photos

storage_cli = AppGroup("storage", help="Where photos and pending imports are kept.")


def _one_file(step) -> str:
    """Each file in its own transaction, as a command's: committed, or rolled back with its message."""
    return transactional(step)()


def _move_photos(folder: Path, counts: Counter) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        outcome = _one_file(lambda path=path: photos.adopt_legacy_file(path))
        counts[f"photos {outcome}"] += 1
        if outcome in ("moved", "already"):
            path.unlink()


def _move_pending(folder: Path, counts: Counter) -> None:
    if not folder.is_dir():
        return
    for meta_path in sorted(folder.glob("*.json")):
        token = meta_path.stem
        upload = folder / f"{token}.upload"
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            meta = None
        if not pending.TOKEN_PATTERN.match(token) or not isinstance(meta, dict) or not upload.is_file():
            counts["imports unknown"] += 1
            continue
        moved = _one_file(lambda token=token, meta=meta, upload=upload: pending.adopt_legacy_file(token, meta, upload))
        counts["imports moved" if moved else "imports already"] += 1
        upload.unlink()
        meta_path.unlink()


@storage_cli.command("migrate-files")
def migrate_files_command() -> None:
    """Store photos and pending imports from UPLOAD_DIR in the blob store (safe to run again)."""
    root = Path(current_app.config["UPLOAD_DIR"])
    counts: Counter = Counter()
    _move_photos(root / "observations", counts)
    _move_pending(root / "pending", counts)
    click.echo(
        f"photos: {counts['photos moved']} moved, {counts['photos already']} already stored, "
        f"{counts['photos unknown']} left in place (no report names them); "
        f"pending imports: {counts['imports moved']} moved, {counts['imports already']} already stored, "
        f"{counts['imports unknown']} left in place (unreadable)"
    )
