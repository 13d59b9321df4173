"""A full disk or database, wherever in a request it shows: a clear page (507), never the generic 500.

Whatever the request wrote is rolled back first, so nothing is left half-written; the blob store
turns the same condition into a message beside the upload field when it is the one writing.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template
from sqlalchemy.exc import DBAPIError

from courtwatch import web
from courtwatch.db import db
from courtwatch.storage.blobs import is_storage_full, storage_full

log = logging.getLogger(__name__)
INSUFFICIENT_STORAGE = 507


def _storage_full_page(error: Exception):
    if not is_storage_full(error):
        return web.render_unexpected(error)  # what every other unexpected error gets
    db.session.rollback()
    log.error("storage full: %s", type(error).__name__)  # no statement or values: they may be private
    return render_template(
        "errors/error.html", code=INSUFFICIENT_STORAGE, message=storage_full().message
    ), INSUFFICIENT_STORAGE


def init_app(app: Flask) -> None:
    app.register_error_handler(DBAPIError, _storage_full_page)
    app.register_error_handler(OSError, _storage_full_page)
