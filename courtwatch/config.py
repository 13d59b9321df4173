"""Configuration: defaults here, then ``instance/config.py``, then ``COURTWATCH_*`` variables.

Settings are declared once in ``DEFAULTS`` so that the README table, the environment parser and
the production checks all read from the same place. Environment values are parsed with the type
of the default (``"30"`` becomes ``30`` for an int setting), so a deployment never has to edit
Python to change a number.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import available_timezones

# The value the setting had before secrets were generated; refused everywhere if it ever returns.
INSECURE_SECRET = "dev-only-not-secret"


@dataclass(frozen=True)
class InstanceSecret:
    """A secret that outside production is generated once into ``instance/<filename>`` (mode 0600)
    when neither ``instance/config.py`` nor the environment sets it. Production never generates
    one: several app servers must share it, so it must come from the deployment."""

    setting: str
    filename: str
    length_bytes: int = 32

    def generate(self) -> str:
        return secrets.token_hex(self.length_bytes)


# Add a secret here (e.g. an encryption key) and it is generated, kept and checked the same way.
INSTANCE_SECRETS: tuple[InstanceSecret, ...] = (InstanceSecret("SECRET_KEY", "secret_key"),)

DEFAULTS: dict[str, object] = {
    "ENV_NAME": "development",  # development | production | testing
    "SECRET_KEY": "",  # empty outside production: generated into instance/secret_key on first start
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
    # A delivery run stops claiming messages after this many seconds (cron runs it every minute).
    "NOTIFY_RUN_SECONDS": 50,
    # Text messages through a Twilio-compatible API; nothing is sent while SMS_URL is empty.
    "SMS_URL": "",  # e.g. https://api.twilio.com/2010-04-01
    "SMS_ACCOUNT": "",
    "SMS_TOKEN": "",
    "SMS_FROM": "",  # the sending number, E.164
    "SMS_TIMEOUT": 10,  # seconds one provider call may take
    "PHONE_REGION": "US",  # the country of a phone number typed without +country code
    # Web Push (VAPID). Empty: read <instance>/vapid_private_key and vapid_public_key (`make run`).
    "VAPID_PRIVATE_KEY": "",
    "VAPID_PUBLIC_KEY": "",
    "VAPID_SUBJECT": "",  # mailto: or https: contact for push services; empty: BASE_URL
    "RATELIMIT_STORAGE_URL": "memory://",
    "FEED_RATE_LIMIT": "60 per hour",  # per feed link: calendar servers poll every 15-60 minutes
    "STAFF_TWO_FACTOR": True,  # coordinators and admins must use a second factor (TOTP or passkey)
    # Production refuses to start with STAFF_TWO_FACTOR off unless this says so, in these words.
    "STAFF_TWO_FACTOR_OFF_ACKNOWLEDGED": "",
    "TWO_FACTOR_ENROLMENT_MAX_AGE": 24 * 3600,  # seconds an enrolment link works
    "LOGIN_THROTTLE_STORAGE_URL": "",  # empty: RATELIMIT_STORAGE_URL; redis:// in production
    "LOGIN_ACCOUNT_FREE_FAILURES": 5,  # failures per account before delays start
    "LOGIN_ACCOUNT_MAX_DELAY": 15 * 60,  # seconds; delays double up to this
    "LOGIN_CLIENT_MAX_FAILURES": 20,  # failures from one client, across accounts, per window
    "LOGIN_CLIENT_WINDOW": 3600,  # seconds a client's count lives (never more than an hour)
    "DEVICE_COOKIE_MAX_AGE": 180 * 24 * 3600,
    "SESSION_IDLE_TIMEOUT": 2 * 3600,  # seconds without a request before a session ends
    "SESSION_MAX_AGE": 12 * 3600,  # seconds after login when a session ends, however busy
    "CALENDAR_ALLOW_LOOPBACK": False,  # let calendar URLs reach 127.0.0.1 (tests only)
    "CAMPAIGN_NAME": "ICE Out of Courts",
    # IANA zone for times tied to no courthouse (announcements); empty: most courthouses' zone
    "CAMPAIGN_TIMEZONE": "",
    "TRUSTED_PROXIES": 0,  # proxies in front of the app that set X-Forwarded-For (1 behind nginx)  # refused inside passwords, with "courtwatch"
    "PASSWORD_RESET_MAX_AGE": 3600,
    "LANGUAGES": "en,es",
    "UPLOAD_DIR": "",  # empty: <instance>/uploads
    "IMPORT_MAX_BYTES": 50 * 1024 * 1024,  # a statewide 100,000-row docket is about 15 MB
    "IMPORT_WINDOW_DAYS": 120,
    "IMPORT_MAX_INSTANCES": 2000,  # per recurring event, not per calendar
    "IMPORT_HOLD_CANCEL_COUNT": 20,  # a plan cancelling more hearings than this waits for a coordinator
    "IMPORT_HOLD_CANCEL_PERCENT": 10,  # ... or more than this share of the source's future hearings
    "IMPORT_CPU_SECONDS": 90,  # CPU time of the process that reads one calendar file (50,000 events: ~25 s)
    "IMPORT_MEMORY_MB": 2048,  # address space of that process
    "IMPORT_PREVIEW_WAIT_SECONDS": 10,  # a preview waits this long for the read, then shows its progress
    "SYNC_TIMEOUT": 20,
    # SQLite only: a scheduled command's lock row frees itself after this many seconds if its run
    # crashed (PostgreSQL's advisory lock goes with the run's connection).
    "JOB_LOCK_SECONDS": 30 * 60,
    "ACCOMPANIMENT_PURGE_DAYS": 30,
    "ACCOMPANIMENT_LEAD_MINUTES": 45,
    "RELEASE_CUTOFF_HOURS": 12,
    "FIRST_OFFER_HOURS": 24,  # a carried accompaniment is held this long for last time's volunteers
    "REMINDER_HOURS": "24,2",
    # "Still coming?": asked at this hour (courthouse local time) the day before a shift; shifts
    # whose volunteers have not said yes by CONFIRM_BY_HOUR that day are flagged on the gap view.
    "CONFIRM_ASK_HOUR": 10,
    "CONFIRM_BY_HOUR": 18,
    "SHIFT_HORIZON_DAYS": 42,
    "PHOTO_MAX_COUNT": 5,
    "PHOTO_MAX_BYTES": 10 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 40_000_000,
    "OBSERVATION_AMEND_HOURS": 48,
    # Minutes an alert waits for someone to say "I'm going" before `oncall escalate` widens it.
    "ALERT_ESCALATION_MINUTES": 5,
    # Base64 (urlsafe) of 32 random bytes; wraps every hearing's data key. Several keys separated by
    # commas: the first wraps, the others only unwrap (while `privacy rotate-key` moves to the first).
    # Empty: read <instance>/master.key (what `make run` writes). Required in production.
    "MASTER_KEY": "",
    "ACCOMPANIMENT_TRAINING": "Accompaniment training",  # the training every accompaniment shift requires
    "DETAILS_REVEAL_HOURS": 48,  # an accompanied person's details open this close to the hearing, not earlier
    "RELEASE_FLAG_COUNT": 2,  # releases after seeing details, within RELEASE_FLAG_DAYS, that flag a volunteer
    "RELEASE_FLAG_DAYS": 7,
    "SENT_MAIL_RETENTION_DAYS": 7,  # bodies and addresses of delivered mail are erased after this many days
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


# Keys that `make run` writes into instance/ and that are read from there when no setting gives them.
KEY_FILES = {
    "MASTER_KEY": "master.key",
    "VAPID_PRIVATE_KEY": "vapid_private_key",
    "VAPID_PUBLIC_KEY": "vapid_public_key",
}


def _read_key_files(settings: dict[str, object], instance_path: str) -> None:
    for setting, filename in KEY_FILES.items():
        key_file = Path(instance_path) / filename
        if not settings[setting] and key_file.exists():
            settings[setting] = key_file.read_text().strip()


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
    _read_key_files(settings, instance_path)
    if not settings["UPLOAD_DIR"]:
        settings["UPLOAD_DIR"] = str(Path(instance_path) / "uploads")
    if settings["ENV_NAME"] != "production":
        fill_instance_secrets(settings, instance_path)
    return settings


def fill_instance_secrets(settings: dict[str, object], instance_path: str) -> None:
    """Give every unset instance secret the value kept in ``instance/``, creating it on first start.
    A development server is reachable from the machine it runs on: a public default secret would
    let anyone forge an admin's session cookie."""
    for secret in INSTANCE_SECRETS:
        if settings.get(secret.setting):
            continue
        path = Path(instance_path) / secret.filename
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secret.generate() + "\n")
        settings[secret.setting] = path.read_text().strip()


def flask_config(settings: dict[str, object]) -> dict[str, object]:
    """Translate our settings into the keys Flask and its extensions read."""
    production = settings["ENV_NAME"] == "production"
    database_url = str(settings["DATABASE_URL"])
    # hide_parameters: a failed statement's error (and any engine log) never carries the values it
    # was given, which may be private notes.
    engine_options: dict[str, object] = {"pool_pre_ping": True, "hide_parameters": True}
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
        "PERMANENT_SESSION_LIFETIME": int(settings["SESSION_MAX_AGE"]),
        # The cookie is signed and sent again only when the session changes, not on every page: the
        # server-side record already enforces the idle and absolute timeouts (auth.session_records).
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,  # a form opened in a hallway may be submitted hours later
        # Pages ask browsers to send no Referer (privacy), so Flask-WTF's HTTPS-only referrer check
        # would refuse every form behind the TLS proxy; the session's token and SameSite cookies remain.
        "WTF_CSRF_SSL_STRICT": False,
        "RATELIMIT_STORAGE_URI": settings["RATELIMIT_STORAGE_URL"],
        "RATELIMIT_HEADERS_ENABLED": False,
        # Redis down: count in this process and log it, never answer a feed or a login with a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        # Compressed on the embedded default (Flask-Compress); a production proxy may do it instead.
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "text/calendar",
            "text/csv",
            "image/svg+xml",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "MAX_CONTENT_LENGTH": max(
            int(settings["IMPORT_MAX_BYTES"]), int(settings["PHOTO_MAX_BYTES"]) * int(settings["PHOTO_MAX_COUNT"])
        )
        + 1024 * 1024,
    }


STAFF_TWO_FACTOR_OFF_WORDS = "staff accounts open with a password alone"


def check_production(settings: dict[str, object]) -> None:
    """Refuse to start on a guessable secret anywhere, and in production on a missing secret or
    with staff two-factor off unless that is acknowledged in so many words."""
    for instance_secret in INSTANCE_SECRETS:
        value = str(settings.get(instance_secret.setting) or "")
        if value == INSECURE_SECRET or (settings["ENV_NAME"] == "production" and len(value) < 32):
            raise RuntimeError(
                f"COURTWATCH_{instance_secret.setting} must be set to a random value of at least 32 "
                "characters in production (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
    zone = str(settings.get("CAMPAIGN_TIMEZONE") or "")
    if zone and zone not in available_timezones():
        raise RuntimeError(f"COURTWATCH_CAMPAIGN_TIMEZONE {zone!r} is not an IANA time zone (e.g. America/Chicago).")
    if settings["ENV_NAME"] != "production":
        return
    if not settings["STAFF_TWO_FACTOR"] and settings["STAFF_TWO_FACTOR_OFF_ACKNOWLEDGED"] != STAFF_TWO_FACTOR_OFF_WORDS:
        raise RuntimeError(
            "COURTWATCH_STAFF_TWO_FACTOR is off in production: coordinators and admins would log in "
            "with a password alone. Turn it on, or set COURTWATCH_STAFF_TWO_FACTOR_OFF_ACKNOWLEDGED="
            f"'{STAFF_TWO_FACTOR_OFF_WORDS}'."
        )
    if not settings["MASTER_KEY"]:
        raise RuntimeError(
            "COURTWATCH_MASTER_KEY must be set in production: it protects every accompanied person's "
            "details (python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')."
        )
    for key in str(settings["MASTER_KEY"]).split(","):
        try:
            valid = len(base64.urlsafe_b64decode(key.strip().encode())) == 32
        except ValueError:
            valid = False
        if not valid:
            raise RuntimeError(
                "COURTWATCH_MASTER_KEY must be base64 of 32 random bytes (comma-separated when rotating)."
            )
