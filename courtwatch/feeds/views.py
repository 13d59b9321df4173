"""The feed route calendar servers poll: the only route authenticated by a token in the URL.

It is public to the login check, exempt from CSRF (it changes nothing a user could be tricked
into), GET-only, rate-limited per token (never per address), and answers 404 at once for anything
but a live token. This blueprint holds nothing else, so "every feeds.* endpoint is token-only"
stays true (tests/test_access_matrix.py relies on it); the account-page controls for the links are
ordinary logged-in pages in ``link_views``.
"""

from __future__ import annotations

import hashlib
import logging
import re

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import force_locale

from courtwatch.auth.access import public
from courtwatch.db import db, utcnow
from courtwatch.extensions import csrf, limiter
from courtwatch.feeds import content, freshness, services
from courtwatch.feeds.models import FeedToken

log = logging.getLogger(__name__)

bp = Blueprint("feeds", __name__)

# Calendar apps may reuse a copy for a few minutes; shared caches must never keep one.
FEED_CACHE_CONTROL = "private, max-age=300"


# ---------------------------------------------------------------- the feed
def _feed_rate_key() -> str:
    token = (request.view_args or {}).get("token", "")
    return "feed:" + hashlib.sha256(token.encode()).hexdigest()[:16]


@bp.route("/feeds/<token>.ics", methods=["GET"])
@public
@csrf.exempt
@limiter.limit(lambda: current_app.config["FEED_RATE_LIMIT"], key_func=_feed_rate_key)
def feed(token: str):
    found = services.check_token(token)  # a plain row: a 304 needs no ORM object
    if found is None:
        abort(404)
    now = utcnow()
    # The feed speaks its owner's language, not the calendar server's Accept-Language.
    locale = found.owner_locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    etag = freshness.feed_validator(found, locale, now)
    if request.if_none_match.contains_weak(etag):
        # Decided before building anything: a poll that finds nothing new costs one aggregate query.
        response = Response(status=304)
    else:
        with force_locale(locale):
            rendered = content.render_feed(db.session.get(FeedToken, found.id), now)
        response = Response(rendered.body, mimetype="text/calendar")
        response.last_modified = rendered.last_modified
        response.headers["Content-Disposition"] = 'inline; filename="courtwatch.ics"'
    response.set_etag(etag)
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    if response.status_code == 200 and not request.if_none_match:
        response.make_conditional(request)  # If-Modified-Since alone (If-None-Match wins when both come)
    services.touch_token(found, now)
    log.info("feed %s… served (%s, %d)", found.prefix, found.scope, response.status_code)
    return response


# ---------------------------------------------------------------- logs never hold a whole token
_FEED_PATH = re.compile(r"(/feeds/)([A-Za-z0-9_-]{6})[A-Za-z0-9_-]*(\.ics)")


def redact(text: str) -> str:
    return _FEED_PATH.sub(r"\1\2…\3", text)


class RedactFeedTokens(logging.Filter):
    """Access logs (werkzeug's, gunicorn's) would print the full capability URL; keep the prefix only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            # In place: gunicorn passes a dict subclass that answers missing atoms with "-".
            for key, value in list(record.args.items()):
                if isinstance(value, str):
                    record.args[key] = redact(value)
        elif isinstance(record.args, tuple):
            record.args = tuple(redact(v) if isinstance(v, str) else v for v in record.args)
        return True


_REDACTOR = RedactFeedTokens()


@bp.record_once
def _install_log_redaction(state) -> None:
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)
