"""Extension instances, unbound; ``create_app`` binds them to an app."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from courtwatch.db import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()
# No default limits and no IP-based key: login is throttled per account (see auth.views),
# feeds per token. Nothing keyed on a client's address is written to the store.
limiter = Limiter(key_func=lambda: "global", default_limits=[])

__all__ = ["db", "migrate", "login_manager", "csrf", "babel", "limiter", "compress"]
