"""Photos attached to reports: accepted by content, re-encoded without metadata, stored privately.

A phone photo carries GPS coordinates and the device's serial numbers in its EXIF block; a
photo of an arrest that leaks where the volunteer stood can endanger them. So every upload is
decoded by Pillow and written out again from its pixels only: nothing of the original file
survives except the picture (EXIF orientation is applied first, so the picture still stands
upright). The file's name and the browser's content type are never trusted: a renamed HTML page
fails to decode and is refused. A pixel limit (and DecompressionBombWarning treated as an
error) stops a small file that would unpack to gigabytes.

Files live under ``UPLOAD_DIR/observations`` with random names, outside the static folder, and
are served only through the view that checks who is asking.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener
from sqlalchemy import event
from sqlalchemy.orm import Session

from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.observations.models import Observation, ObservationPhoto

# iPhones save HEIC by default: pillow-heif lets Pillow decode it, and it is stored as JPEG.
register_heif_opener()
# Pillow format names we accept (MPO is how Pillow names many phone JPEGs).
ACCEPTED_FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "HEIF": "jpeg", "HEIC": "jpeg"}
OUTPUT = {"jpeg": ("JPEG", "image/jpeg", ".jpg"), "png": ("PNG", "image/png", ".png")}
# Larger pictures are scaled down: enough to read a badge or a plate, small enough for phones.
MAX_EDGE = 4096
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png)$")


@dataclass
class ProcessedPhoto:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _photo_error(message: str) -> DomainError:
    return DomainError(message, field="photos")


def _decode(data: bytes, max_pixels: int) -> tuple[Image.Image, str]:
    Image.MAX_IMAGE_PIXELS = max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                source_format = probe.format or ""
                probe.verify()  # structure check; the image must be reopened after verify()
            image = Image.open(io.BytesIO(data))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _photo_error(_("This picture has too many pixels. Send a smaller photo.")) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise _photo_error(_("This file is not a photo we can read. Send a JPEG or PNG picture.")) from None
    if source_format not in ACCEPTED_FORMATS:
        raise _photo_error(_("This file is not a photo we can read. Send a JPEG or PNG picture."))
    return image, ACCEPTED_FORMATS[source_format]


def clean_photo(data: bytes, max_pixels: int) -> ProcessedPhoto:
    """Decode, upright, shrink if huge, and re-encode from pixels only (no EXIF, no GPS, no ICC)."""
    image, kind = _decode(data, max_pixels)
    image = ImageOps.exif_transpose(image)
    if max(image.size) > MAX_EDGE:
        image.thumbnail((MAX_EDGE, MAX_EDGE))
    if kind == "jpeg":
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    # A fresh image from the pixels alone: no info dict, no EXIF, no text chunks carried over.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    pil_format, content_type, extension = OUTPUT[kind]
    if kind == "jpeg":
        clean.save(out, pil_format, quality=85, optimize=True)
    else:
        clean.save(out, pil_format, optimize=True)
    return ProcessedPhoto(out.getvalue(), content_type, extension, clean.width, clean.height)


def _uploaded(uploads) -> list:
    return [u for u in uploads or () if u is not None and getattr(u, "filename", None)]


def process_uploads(uploads, already: int) -> list[ProcessedPhoto]:
    """Check and clean every uploaded file before anything is written (all or nothing)."""
    files = _uploaded(uploads)
    config = current_app.config
    max_count, max_bytes = int(config["PHOTO_MAX_COUNT"]), int(config["PHOTO_MAX_BYTES"])
    if already + len(files) > max_count:
        raise _photo_error(_("A report can have at most %(n)d photos.", n=max_count))
    processed = []
    for upload in files:
        data = upload.stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise _photo_error(_("Each photo can be at most %(mb)d MB.", mb=max_bytes // (1024 * 1024)))
        if not data:
            continue
        processed.append(clean_photo(data, int(config["PHOTO_MAX_PIXELS"])))
    return processed


def photo_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "observations"
    path.mkdir(parents=True, exist_ok=True)
    return path


# Files written in a transaction that later rolls back would belong to no report: they are
# remembered on the session and deleted if the outermost transaction rolls back.
FILES_PENDING_COMMIT = "courtwatch.photo_files_pending_commit"


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session) -> None:
    session.info.pop(FILES_PENDING_COMMIT, None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_rolled_back_files(session, previous_transaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: the outer transaction may still commit the files' rows
    for path in session.info.pop(FILES_PENDING_COMMIT, []):
        path.unlink(missing_ok=True)


def store_photos(observation: Observation, processed: list[ProcessedPhoto]) -> list[ObservationPhoto]:
    """Write cleaned photos under random names and attach their rows to the report."""
    rows = []
    directory = photo_dir()
    for photo in processed:
        name = secrets.token_hex(16) + photo.extension
        target = directory / name
        # O_EXCL: never overwrite, even in the astronomically unlikely case of a name clash.
        with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(photo.data)
        db.session.info.setdefault(FILES_PENDING_COMMIT, []).append(target)
        row = ObservationPhoto(
            stored_name=name,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size=len(photo.data),
        )
        observation.photos.append(row)
        rows.append(row)
    return rows


def photo_path(photo: ObservationPhoto) -> Path | None:
    if not STORED_NAME.match(photo.stored_name):
        return None
    path = photo_dir() / photo.stored_name
    return path if path.is_file() else None
