"""Photos attached to reports: accepted by content, re-encoded without metadata, stored privately.

A phone photo carries GPS coordinates and the device's serial numbers in its EXIF block; a
photo of an arrest that leaks where the volunteer stood can endanger them. So every upload is
decoded by Pillow and written out again from its pixels only: nothing of the original file
survives except the picture (EXIF orientation is applied first, so the picture still stands
upright). The file's name and the browser's content type are never trusted: a renamed HTML page
fails to decode and is refused. A pixel limit (and DecompressionBombWarning treated as an
error) stops a small file that would unpack to gigabytes.

Photos live in the blob store (``courtwatch.storage``) under random names, written in the same
transaction as their rows (a report that is not saved leaves no photo behind), readable from every
app host, and served only through the view that checks who is asking.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.observations.models import Observation, ObservationPhoto
from courtwatch.storage.blobs import BlobInfo, blob_store, split_chunks

if TYPE_CHECKING:
    from PIL import Image

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


@cache
def _pillow():
    """Pillow, loaded by the first photo (not by every command and worker start: ~0.1 s)."""
    from PIL import Image, ImageOps, UnidentifiedImageError
    from pillow_heif import register_heif_opener

    # iPhones save HEIC by default: pillow-heif lets Pillow decode it, and it is stored as JPEG.
    register_heif_opener()
    return Image, ImageOps, UnidentifiedImageError


def _decode(data: bytes, max_pixels: int) -> tuple[Image.Image, str]:
    Image, _ops, UnidentifiedImageError = _pillow()  # noqa: N806
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
    Image, ImageOps, _unidentified = _pillow()  # noqa: N806
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


def blob_key(stored_name: str) -> str:
    return f"photos/{stored_name}"


def store_photos(observation: Observation, processed: list[ProcessedPhoto]) -> list[ObservationPhoto]:
    """Store cleaned photos under random names and attach their rows to the report (one transaction)."""
    rows = []
    store = blob_store()
    for photo in processed:
        name = secrets.token_hex(16) + photo.extension
        store.write(blob_key(name), split_chunks(photo.data), field="photos")
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


def discard_photos(rows: list[ObservationPhoto]) -> None:
    """Remove stored photos whose report was not saved after all (a resend that lost the race)."""
    store = blob_store()
    for row in rows:
        store.delete(blob_key(row.stored_name))


def photo_blob(photo: ObservationPhoto) -> BlobInfo | None:
    if not STORED_NAME.match(photo.stored_name):
        return None
    return blob_store().info(blob_key(photo.stored_name))


def photo_bytes(photo: ObservationPhoto) -> bytes | None:
    """The whole stored picture (tests and small checks; the view streams it instead)."""
    info = photo_blob(photo)
    return None if info is None else b"".join(blob_store().iter_chunks(info))


def adopt_legacy_file(path) -> str:
    """Store a photo file an older release wrote to UPLOAD_DIR/observations (``storage
    migrate-files``): "moved", "already" (stored before; safe to run again) or "unknown" (no report
    names it; left where it is)."""
    name = path.name
    if (
        not STORED_NAME.match(name)
        or db.session.scalar(select(ObservationPhoto.id).where(ObservationPhoto.stored_name == name)) is None
    ):
        return "unknown"
    store = blob_store()
    if store.info(blob_key(name)) is not None:
        return "already"
    store.write(blob_key(name), split_chunks(path.read_bytes()), field="photos")
    return "moved"
