"""What every public answer shares: cache headers with an ETag, CORS for GET, framing rules, JSON errors.

A public answer holds only published aggregates, so shared caches may keep it for a few minutes
(``OPENDATA_CACHE_SECONDS``); the ETag is a hash of the body, so a partner polling every hour
gets a 304 and no body when nothing changed. CORS is open for GET: the figures are public and no
cookie or token is ever read by these routes. Partner routes (token) are not cached by shared
caches and do not answer cross-origin browser calls: tokens belong on servers.
"""

from __future__ import annotations

import hashlib

from flask import Response, current_app, jsonify, request


def conditional(response: Response, *, public: bool = True) -> Response:
    """Strong ETag from the body, cache headers, and a 304 when the client already has it."""
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    seconds = int(current_app.config["OPENDATA_CACHE_SECONDS"])
    response.headers["Cache-Control"] = f"public, max-age={seconds}" if public else "private, no-cache"
    response.vary.add("Accept-Language")
    return response.make_conditional(request)


def allow_cross_origin(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def frame_policy(response: Response, origins: list[str]) -> Response:
    """Let the campaign's allow-listed sites (and this one) put this page in an iframe."""
    ancestors = " ".join(["'self'", *origins])
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
        f"base-uri 'none'; frame-ancestors {ancestors}; form-action 'self'"
    )
    return response


def json_error(status: int, message: str, field: str | None = None) -> Response:
    body = {"error": {"status": status, "message": message}}
    if field:
        body["error"]["field"] = field
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return allow_cross_origin(response)
