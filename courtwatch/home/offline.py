"""What a phone keeps for use with no signal: the pages, the service worker, the manifest.

One place lists the pages a volunteer can open offline (``OFFLINE_PAGES``). The service worker
(``static/sw.js``, served at ``/sw.js`` so that its scope is the whole site) stores a page only
when the server stamps it ``X-Courtwatch-Offline: keep``, which happens only for a signed-in,
approved person, on a GET of one of these pages. A page showing an accompanied person's details
calls ``never_store()``: it is stamped ``never`` and ``no-store``, and the worker drops any copy.

Each session has its own opaque key (an HMAC of the server-side session token, so it says
nothing about the person); the worker names its page cache after it and deletes every other
person's cache when the key changes. Logging out answers with ``Clear-Site-Data`` and marks the
next page to clear the device (caches, queued reports, drafts) from script as well.

Why a hand-written worker and not Workbox: about 300 lines cover what we need (network first
for pages with an offline copy, cache first for content-hashed assets, a report queue,
a "no signal" answer to form posts); Workbox would add a build step or ~40 KB of vendored code
to review and update, and its caching strategies do not know our per-session keys or our
privacy stamp.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os

from flask import Blueprint, Flask, Response, current_app, g, jsonify, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import MethodNotAllowed, NotFound

from courtwatch.auth.access import public
from courtwatch.auth.session import current_session_token
from courtwatch.home.assets import static_url

bp = Blueprint("offline", __name__)

# Pages kept on the phone and fetched by the worker after any online visit. A path whose route
# is not registered (an area that is not installed yet) is skipped.
OFFLINE_PAGES = (
    "/",
    "/observations/new",
    "/shifts",
    "/me/shifts",
    "/rights",
    "/training",
    "/offline",
)
# Pages kept when opened, and found by following links from the page named: every training page.
FOLLOWED_LINKS = {"/training": "/training/"}
# Endpoints whose pages may be kept besides OFFLINE_PAGES (a shift I hold, opened once).
KEPT_ENDPOINTS = ("shifts.detail",)
KEPT_PREFIXES = tuple(FOLLOWED_LINKS.values())
# The app shell: what every kept page needs, stored when the worker installs.
SHELL_ASSETS = (
    "courtwatch.css",
    "courtwatch.js",
    "report-queue.js",
    "observations.js",
    "shifts.js",
    "icons/icon-192.png",
    "icons/maskable-192.png",
)
CLEAR_FLAG = "offline_clear_device"
PAGE_LABELS = {
    "/": _l("Home"),
    "/observations/new": _l("Report"),
    "/shifts": _l("Shifts"),
    "/me/shifts": _l("My shifts"),
    "/rights": _l("Know your rights"),
    "/training": _l("Training"),
}


def _registered(path: str) -> bool:
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except (NotFound, MethodNotAllowed):
        return False
    except Exception:  # a redirect (trailing slash) still names a page
        return True
    return True


def offline_pages() -> list[str]:
    return [path for path in OFFLINE_PAGES if _registered(path)]


def session_key() -> str | None:
    """The opaque name of this session's page cache; None when nobody is signed in."""
    token = current_session_token()
    if not token or not current_user.is_authenticated:
        return None
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"offline-cache:" + token.encode(), hashlib.sha256).hexdigest()[:32]


def never_store() -> None:
    """This page shows what must never reach the device (an accompanied person's details)."""
    g.offline_never = True


def _kept(req) -> bool:
    return req.path in OFFLINE_PAGES or req.endpoint in KEPT_ENDPOINTS or req.path.startswith(KEPT_PREFIXES)


def stamp_response(response):
    """Tell the worker what it may keep; clear the device on logout."""
    if request.endpoint == "auth.logout" and request.method == "POST":
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        session[CLEAR_FLAG] = True
        return response
    if g.get("offline_never"):
        response.headers["X-Courtwatch-Offline"] = "never"
        response.headers["Cache-Control"] = "private, no-store"
        return response
    if response.mimetype != "text/html":
        return response  # only pages are kept; a health check or a file never loads the user for this
    key = session_key() if current_user and getattr(current_user, "is_authenticated", False) else None
    if key is None:
        return response
    response.headers["X-Courtwatch-Offline-Key"] = key
    if request.method == "GET" and response.status_code == 200 and current_user.is_approved and _kept(request):
        response.headers["X-Courtwatch-Offline"] = "keep"
    return response


def template_globals() -> dict:
    def clear_device() -> bool:
        """True once, on the first page after logging out: that page's script clears the device."""
        return bool(session.pop(CLEAR_FLAG, False))

    return {"offline_clear_device": clear_device, "offline_key": session_key}


# ---------------------------------------------------------------- the worker, the manifest, the pages list
def _worker_config() -> dict:
    static = current_app.static_folder
    assets = {name: static_url(name) for name in SHELL_ASSETS if os.path.isfile(os.path.join(static, name))}
    return {
        "assets": sorted(assets.values()) + [url_for("offline.manifest")],
        "assetMap": assets,
        "queueScript": assets.get("report-queue.js"),
        "pagesUrl": url_for("offline.pages"),
        "fallbackUrl": url_for("offline.fallback"),
        "icon": assets.get("icons/icon-192.png"),
    }


@bp.route("/sw.js")
@public
def service_worker():
    with open(os.path.join(current_app.static_folder, "sw.js"), encoding="utf-8") as source:
        code = source.read()
    config = _worker_config()
    # The version changes with the worker's code and with any shell asset: either installs anew.
    config["version"] = hashlib.sha256((code + json.dumps(config, sort_keys=True)).encode()).hexdigest()[:12]
    body = f"self.COURTWATCH = {json.dumps(config, sort_keys=True)};\n{code}"
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # browsers check for a new worker on every visit
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
@public
def manifest():
    icons = [
        {"src": static_url(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size in (192, 512)
    ] + [
        {
            "src": static_url(f"icons/maskable-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": "maskable",
        }
        for size in (192, 512)
    ]
    body = {
        "name": "Courtwatch",
        "short_name": "Courtwatch",
        "description": _("Court watch shifts and reports, also with no signal."),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#17375e",
        "icons": icons,
    }
    response = Response(json.dumps(body), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline/pages.json")
def pages():
    """What the worker stores for this person after an online visit (no-store: it names the session)."""
    return jsonify(key=session_key(), pages=offline_pages(), follow=FOLLOWED_LINKS)


@bp.route("/offline")
def fallback():
    """Shown, from the phone's copy, for a page that was not kept."""
    links = [(path, str(PAGE_LABELS[path])) for path in offline_pages() if path in PAGE_LABELS]
    return render_template("offline/fallback.html", links=links)


def init_offline(app: Flask) -> None:
    app.after_request(stamp_response)
    app.context_processor(template_globals)
