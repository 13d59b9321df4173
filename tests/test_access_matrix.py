"""Every route x every role: no protected page opens to someone it should not.

The routes are read from the app's URL map when the tests are collected, so a page another area
adds later is covered without anyone editing this file. Two independent sources of truth are
compared: what each view *declares* (``access_level``, ``required_roles`` from auth.access) drives
the behavioural check, and a hard-coded list of the foundation's routes catches a view whose
decorator is wrong (a ``@public`` on the audit page would otherwise pass its own declaration).
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
from werkzeug.routing.converters import AnyConverter, IntegerConverter, UUIDConverter
from werkzeug.security import generate_password_hash

from courtwatch import create_app
from courtwatch.auth.access import PENDING_ALLOWED, PUBLIC, PUBLIC_ENDPOINTS
from courtwatch.auth.models import AccountStatus, User
from courtwatch.db import db
from tests.conftest import TEST_SECRET, CsrfClient, _empty_tables

ROLES = ("anonymous", "pending", "volunteer", "coordinator", "admin")

# Pages anyone may open. Adding to this list is a security decision: review it.
PUBLIC_ALLOW_LIST = {
    "static",
    "assets.file",
    "home.index",
    "home.robots_txt",
    "home.healthz",
    "auth.login",
    "auth.login_two_factor",
    "auth.register",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.set_language",
    # Open data (issue 18): published, suppressed aggregates (404 until an admin publishes), and the
    # partner rows, which answer 401 without a token.
    "opendata.page",
    "opendata.embed",
    "opendata.chart",
    "opendata.data_dictionary",
    "api.openapi",
    "api.dictionary",
    "api.summary",
    "api.summary_csv",
    "api.incidents",
    "api.incidents_csv",
    "auth.reset_password_link",
    "auth.login_passkey_options",
    "auth.login_passkey",
    "account.follow_enrolment_link",
    # The know-your-rights card (issue 16): public guidance, the same as the printed card; a
    # volunteer whose session ran out in a basement must still have it.
    "home.rights",
    # The service worker and the manifest (issue 16): code and the app's name, nothing of anyone.
    "offline.service_worker",
    "offline.manifest",
    # "Still coming?" (issue 15): the signed, single-use link from an SMS or push is the proof; a
    # made-up token opens nothing, and the pages show courthouse and time only.
    "shift_confirm.choose",
    "shift_confirm.answer",
    "shift_confirm.submit",
}
# Token-authenticated calendar feeds are public by design (a calendar app has no session).
PUBLIC_PREFIXES = ("feeds.",)
# Pages an account waiting for approval may open (its own account, logging out).
PENDING_ALLOW_LIST = {
    "auth.logout",
    "account.show",
    "account.update_profile",
    "account.change_password",
    "account.two_factor",
    "account.send_enrolment_link",
    "account.confirm_password",
    "account.enrol_app",
    "account.passkey_options",
    "account.enrol_passkey",
    "account.first_recovery_codes",
    "account.change_factor",
    "account.end_session",
    "account.end_all_sessions",
}
# The foundation's staff pages and the roles they need; a later area's staff pages are checked
# through their own ``required_roles`` declaration.
EXPECTED_ROLES = {
    "people.index": {"coordinator"},
    "people.detail": {"coordinator"},
    "people.change_status": {"coordinator"},
    "people.add_training": {"coordinator"},
    "people.remove_training": {"coordinator"},
    "people.change_role": {"admin"},
    "people.issue_enrolment_link": {"admin"},
    "courts.create": {"coordinator"},
    "courts.edit": {"coordinator"},
    "privacy.audit": {"admin"},
    "opendata.admin": {"admin"},
    "opendata.issue_token": {"admin"},
    "opendata.revoke_token": {"admin"},
    # Issue 15: the outbox (addresses, errors) and announcements are for staff.
    "outbox.index": {"coordinator"},
    "outbox.retry": {"coordinator"},
    "outbox.cancel": {"coordinator"},
    "announcements.index": {"coordinator"},
    "announcements.new": {"coordinator"},
}
# Foundation pages every approved user opens (no role restriction).
EXPECTED_APPROVED_ANY_ROLE = {"courts.index", "courts.detail"}

_PASSWORD_HASH = generate_password_hash("matrix-password-0123", method="scrypt")


def _collect_rules():
    app = create_app(
        {
            "SECRET_KEY": "collection-only-" + "x" * 32,
            "DATABASE_URL": "sqlite://",
            "ENV_NAME": "testing",
            "TESTING": True,
        }
    )
    return sorted(
        ((rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()), key=lambda pair: (pair[0], pair[1])
    )


RULES = _collect_rules()


def _is_public_by_design(endpoint: str) -> bool:
    return endpoint in PUBLIC_ALLOW_LIST or endpoint.startswith(PUBLIC_PREFIXES)


def _fill(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.UUID(int=1)
        else:
            values[name] = "x"
    path = rule.rule
    for name, value in values.items():
        path = re.sub(r"<(?:[^>:]+:)?" + re.escape(name) + r">", str(value), path)
    return path


def _method(rule) -> str:
    methods = rule.methods - {"HEAD", "OPTIONS"}
    return "GET" if "GET" in methods else sorted(methods)[0]


@pytest.fixture(scope="module")
def matrix(_schema, smtp_server, tmp_path_factory):
    """One app and one account per role for the whole matrix (hundreds of cases; a fresh
    database per case would take minutes on PostgreSQL). User id 1 is a bystander account, so
    actions posted to ``.../1/...`` (approve, suspend, change role) never touch the accounts
    whose access is being checked."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET,
            "DATABASE_URL": _schema,
            "BASE_URL": "http://localhost",
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": smtp_server.hostname,
            "SMTP_PORT": smtp_server.port,
            "STAFF_TWO_FACTOR": False,
            "RATELIMIT_STORAGE_URL": "memory://",
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("matrix-uploads")),
        }
    )
    app.test_client_class = CsrfClient
    with app.app_context():
        users = {}
        for role in ("bystander", *ROLES[1:]):
            base_role = "volunteer" if role in ("pending", "bystander") else role
            user = User(
                email=f"matrix-{role}@example.org",
                name=f"Matrix {role}",
                password_hash=_PASSWORD_HASH,
                role=base_role,
                languages="en",
                status=AccountStatus.PENDING if role in ("pending", "bystander") else AccountStatus.ACTIVE,
            )
            db.session.add(user)
            db.session.commit()
            users[role] = user.get_id()
        db.session.remove()
        try:
            yield app, users
        finally:
            db.session.remove()
            _empty_tables()
            db.engine.dispose()


def _client_for(matrix, role: str):
    """A client logged in as ``role`` on a session record of its own (a case that ends sessions,
    such as "log out everywhere", cannot log out the cases after it)."""
    from courtwatch.auth import session_records

    app, users = matrix
    client = app.test_client()
    if role != "anonymous":
        with app.app_context():
            token = session_records.start_session(db.session.get(User, int(users[role].split(":")[0])), "")
            db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = users[role]
            session["_fresh"] = True
            session["session_token"] = token
    return client


def _path(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def test_declarations_match_the_foundation_expectations(matrix):
    """A wrongly decorated foundation view fails here even if its behaviour matches its decorator."""
    app, _ = matrix
    views = app.view_functions
    for endpoint, view in views.items():
        level = getattr(view, "access_level", None)
        if level == PUBLIC:
            assert _is_public_by_design(endpoint), f"{endpoint} is @public but not on the public allow-list"
        if level == PENDING_ALLOWED:
            assert endpoint in PENDING_ALLOW_LIST, f"{endpoint} is @pending_allowed but not allow-listed"
    for endpoint in PUBLIC_ALLOW_LIST - PUBLIC_ENDPOINTS:
        assert getattr(views[endpoint], "access_level", None) == PUBLIC, endpoint
    for endpoint in PENDING_ALLOW_LIST:
        assert getattr(views[endpoint], "access_level", None) == PENDING_ALLOWED, endpoint
    for endpoint, roles in EXPECTED_ROLES.items():
        declared = set(getattr(views[endpoint], "required_roles", ()))
        assert declared == roles, f"{endpoint} requires {declared}, expected {roles}"
        assert getattr(views[endpoint], "access_level", None) is None, endpoint
    for endpoint in EXPECTED_APPROVED_ANY_ROLE:
        assert getattr(views[endpoint], "access_level", None) is None, endpoint
        assert not getattr(views[endpoint], "required_roles", ()), endpoint


def test_every_route_is_in_the_matrix(matrix):
    """The collection-time app and the test app know the same routes (nothing escapes the matrix)."""
    app, _ = matrix
    assert sorted((r.endpoint, r.rule) for r in app.url_map.iter_rules()) == sorted(RULES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "rule_text"), RULES, ids=[f"{e} {r}" for e, r in RULES])
def test_route_is_closed_to_the_wrong_roles(matrix, endpoint, rule_text, role):
    app, _ = matrix
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    view = app.view_functions[endpoint]
    level = "public" if endpoint in PUBLIC_ENDPOINTS else getattr(view, "access_level", None)
    required = set(getattr(view, "required_roles", ()) or EXPECTED_ROLES.get(endpoint, ()))
    client = _client_for(matrix, role)
    path, method = _fill(rule), _method(rule)
    # buffered: a streamed export is read and closed inside the request's own context.
    data = None if method == "GET" else {"csrf_token": client.csrf_token()}
    response = client.open(path, method=method, data=data, buffered=True)
    where = _path(response)
    label = f"{role} {method} {path} -> {response.status_code} {where}"

    assert response.status_code < 500, label

    if level == PUBLIC and endpoint.startswith(PUBLIC_PREFIXES):
        if role == "anonymous":
            # A token route: a made-up token opens nothing.
            assert response.status_code in (403, 404, 410), label
        return
    if level == PUBLIC:
        assert _is_public_by_design(endpoint), label
        return

    if role == "anonymous":
        assert response.status_code == 302 and where == "/login", label
        return
    if level == PENDING_ALLOWED:
        if endpoint not in ("auth.logout", "account.end_all_sessions"):  # both end the session
            assert not (response.status_code == 302 and where == "/login"), label
        return
    if role == "pending":
        assert response.status_code == 302 and where == "/account", label
        return

    # Approved accounts: the gate must not bounce them to login or to the approval notice.
    assert not (response.status_code == 302 and where in ("/login", "/account")), label
    if required:
        # An admin passes every role check (auth.access.role_required).
        if role != "admin" and role not in required:
            assert response.status_code == 403, label
        else:
            assert response.status_code != 403, label
