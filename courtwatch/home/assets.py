"""Static files under content-hashed names, cached for a year.

``static_url("courtwatch.css")`` gives ``/assets/courtwatch.1a2b3c4d5e.css``: the name changes
whenever the file does, so browsers may keep it for a year without asking again (``immutable``),
and a deploy is picked up at once because pages name the new file. The hash is read from the
file (memoised by modification time), so nothing has to be built or committed.

A request for an old hash (a page cached from before a deploy) gets the current file with a
short cache, never a 404 that would leave a page without its styles.

Behind a production proxy the proxy may serve ``/assets/`` itself (see README, "Production").
"""

from __future__ import annotations

import hashlib
import os
import re

from flask import Blueprint, abort, current_app, send_from_directory, url_for

from courtwatch.auth.access import public

bp = Blueprint("assets", __name__)

YEAR = 365 * 24 * 3600
HASHED_NAME = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<suffix>\.[A-Za-z0-9]+)$")
_digests: dict[str, tuple[float, str]] = {}


def _digest(path: str) -> str:
    modified = os.stat(path).st_mtime
    cached = _digests.get(path)
    if cached and cached[0] == modified:
        return cached[1]
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:10]
    _digests[path] = (modified, digest)
    return digest


def static_url(filename: str) -> str:
    """The hashed URL of a file in the static folder (or Flask's plain one if it is missing)."""
    path = os.path.join(current_app.static_folder, filename)
    if not os.path.isfile(path):
        return url_for("static", filename=filename)
    stem, suffix = os.path.splitext(filename)
    return url_for("assets.file", filename=f"{stem}.{_digest(path)}{suffix}")


@bp.route("/assets/<path:filename>")
@public
def file(filename: str):
    match = HASHED_NAME.match(filename)
    if match is None:
        abort(404)
    original = match["stem"] + match["suffix"]
    path = os.path.join(current_app.static_folder, original)
    if ".." in original.split("/") or not os.path.isfile(path):
        abort(404)
    current = _digest(path) == match["digest"]
    response = send_from_directory(current_app.static_folder, original, max_age=YEAR if current else 300)
    if current:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    # Small text files: read them in, so Flask-Compress (which leaves streams alone) compresses them.
    response.direct_passthrough = False
    response.make_sequence()
    return response
