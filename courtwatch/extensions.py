"""Extension instances, unbound; ``create_app`` binds them to an app."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from courtwatch.db import db


class RouteLimiter(Limiter):
    """A limiter that costs nothing on routes without a limit.

    Flask-Limiter checks every request in a ``before_request`` hook, for default and
    application-wide limits; Courtwatch has neither (see below), and each ``@limiter.limit``
    route checks its own limits inside the decorator. So the hook is taken out again: a route
    with no limit (``/healthz``, every page) pays no lookup at all. A default limit configured
    later would be silently ignored, so one is refused here.
    """

    def init_app(self, app) -> None:
        if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
            raise RuntimeError("Courtwatch sets rate limits per route; default or application limits are not checked")
        super().init_app(app)
        hooks = app.before_request_funcs.get(None, [])
        if self._check_request_limit in hooks:
            hooks.remove(self._check_request_limit)


login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
# No default limits and no IP-based key: login is throttled per account (see auth.views),
# feeds per token. Nothing keyed on a client's address is written to the store.
limiter = RouteLimiter(key_func=lambda: "global", default_limits=[])

__all__ = ["db", "login_manager", "csrf", "babel", "limiter", "compress"]
