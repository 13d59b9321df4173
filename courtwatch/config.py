"""Configuration: defaults here, then ``instance/config.py``, then ``COURTWATCH_*`` variables.

Settings are declared once in ``DEFAULTS`` so that the README table, the environment parser and
the production checks all read from the same place. Environment values are parsed with the type
of the default (``"30"`` becomes ``30`` for an int setting), so a deployment never has to edit
Python to change a number.
"""

from __future__ import annotations

import os
from pathlib import Path

INSECURE_SECRET = "dev-only-not-secret"

DEFAULTS: dict[str, object] = {
    "ENV_NAME": "development",  # development | production | testing
    "SECRET_KEY": INSECURE_SECRET,
    "DATABASE_URL": "",  # empty: sqlite:///<instance>/courtwatch.sqlite
    "BASE_URL": "http://127.0.0.1:5000",
    "MAIL_BACKEND": "console",  # console | smtp
    "MAIL_FROM": "Courtwatch <courtwatch@example.org>",
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 25,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
    "SMTP_TIMEOUT": 10,
    "MAIL_MAX_ATTEMPTS": 10,
    "RATELIMIT_STORAGE_URL": "memory://",
    "LOGIN_RATE_LIMIT": "10 per 15 minutes",
    "FEED_RATE_LIMIT": "60 per hour",  # per feed link: calendar servers poll every 15-60 minutes
    "STAFF_TWO_FACTOR": True,  # coordinators and admins must enrol a TOTP second factor
    "PASSWORD_RESET_MAX_AGE": 3600,
    "LANGUAGES": "en,es",
    "UPLOAD_DIR": "",  # empty: <instance>/uploads
    "IMPORT_MAX_BYTES": 10 * 1024 * 1024,
    "IMPORT_WINDOW_DAYS": 120,
    "IMPORT_MAX_INSTANCES": 2000,
    "SYNC_TIMEOUT": 20,
    "ACCOMPANIMENT_PURGE_DAYS": 30,
    "ACCOMPANIMENT_LEAD_MINUTES": 45,
    "RELEASE_CUTOFF_HOURS": 12,
    "REMINDER_HOURS": "24,2",
    "SHIFT_HORIZON_DAYS": 42,
    "PHOTO_MAX_COUNT": 5,
    "PHOTO_MAX_BYTES": 10 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 40_000_000,
    "OBSERVATION_AMEND_HOURS": 48,
    # Open data: no client address is ever a key, so the public limit is shared by every caller.
    "OPENDATA_RATE_LIMIT": "600 per minute",  # public API, charts and embeds, all callers together
    "PARTNER_RATE_LIMIT": "120 per minute",  # per partner token
    "OPENDATA_CACHE_SECONDS": 300,  # how long browsers and proxies may keep public answers
}


def _coerce(raw: str, default: object) -> object:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def load_settings(instance_path: str, test_config: dict | None = None) -> dict[str, object]:
    """Resolve every setting in order: defaults, instance/config.py, environment, test overrides."""
    settings = dict(DEFAULTS)
    instance_file = Path(instance_path) / "config.py"
    if instance_file.exists():
        namespace: dict[str, object] = {}
        exec(compile(instance_file.read_text(), str(instance_file), "exec"), namespace)
        settings.update({k: v for k, v in namespace.items() if k.isupper()})
    for key, default in DEFAULTS.items():
        raw = os.environ.get(f"COURTWATCH_{key}")
        if raw is not None:
            settings[key] = _coerce(raw, default)
    if test_config:
        settings.update(test_config)
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'courtwatch.sqlite'}"
    if not settings["UPLOAD_DIR"]:
        settings["UPLOAD_DIR"] = str(Path(instance_path) / "uploads")
    return settings


def flask_config(settings: dict[str, object]) -> dict[str, object]:
    """Translate our settings into the keys Flask and its extensions read."""
    production = settings["ENV_NAME"] == "production"
    database_url = str(settings["DATABASE_URL"])
    engine_options: dict[str, object] = {"pool_pre_ping": True}
    if database_url.startswith("sqlite"):
        # Several gunicorn workers share one file: wait for the lock instead of failing at once.
        engine_options["connect_args"] = {"timeout": 30}
    return {
        **settings,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "WTF_CSRF_TIME_LIMIT": None,  # a form opened in a hallway may be submitted hours later
        "RATELIMIT_STORAGE_URI": settings["RATELIMIT_STORAGE_URL"],
        "RATELIMIT_HEADERS_ENABLED": False,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        # Compressed on the embedded default (Flask-Compress); a production proxy may do it instead.
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript",
                               "application/json", "text/calendar", "text/csv", "image/svg+xml"],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "MAX_CONTENT_LENGTH": max(int(settings["IMPORT_MAX_BYTES"]),
                                  int(settings["PHOTO_MAX_BYTES"]) * int(settings["PHOTO_MAX_COUNT"]))
        + 1024 * 1024,
    }


def check_production(settings: dict[str, object]) -> None:
    """Refuse to start a production app on a guessable secret or a development database."""
    if settings["ENV_NAME"] != "production":
        return
    secret = str(settings["SECRET_KEY"])
    if secret == INSECURE_SECRET or len(secret) < 32:
        raise RuntimeError(
            "COURTWATCH_SECRET_KEY must be set to a random value of at least 32 characters "
            "in production (python -c 'import secrets; print(secrets.token_hex(32))')."
        )

