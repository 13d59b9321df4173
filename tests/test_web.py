"""What every response shares: CSRF checks, security headers, error pages, the interface language."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courtwatch import create_app
from courtwatch.auth.models import User
from courtwatch.courts.models import Courthouse
from courtwatch.db import db
from tests.conftest import TEST_PASSWORD, CsrfClient

REQUIRED_CSP = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}
# Sources a directive may name: our own origin, nothing, or inline data: images (the QR code).
ALLOWED_SOURCES = {"'self'", "'none'", "data:"}


def _csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


# ---------------------------------------------------------------- CSRF
def test_login_without_csrf_token_is_refused(client, volunteer):
    response = client.post("/login", data={"email": volunteer.email, "password": TEST_PASSWORD}, csrf=False)
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_register_without_csrf_token_is_refused(client):
    response = client.post(
        "/register",
        csrf=False,
        data={
            "name": "No Token",
            "email": "notoken@example.org",
            "password": "long enough pw",
            "confirm": "long enough pw",
            "languages": ["en"],
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_coordinator_action_without_csrf_token_is_refused(coordinator_client, make_user):
    pending = make_user(status="pending")
    response = coordinator_client.post(f"/coordinator/volunteers/{pending.id}/approve", csrf=False)
    assert response.status_code == 400
    response = coordinator_client.post(
        "/courthouses/new", csrf=False, data={"name": "Forged Court", "slug": "forged", "timezone": "America/New_York"}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, pending.id).status == "pending"
    assert db.session.scalar(select(func.count()).select_from(Courthouse)) == 0


def test_csrf_token_from_another_session_is_refused(app, client, volunteer):
    other = app.test_client()
    token = other.csrf_token()
    response = client.post(
        "/login", csrf=False, data={"email": volunteer.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400


# ---------------------------------------------------------------- headers
@pytest.mark.parametrize(
    "path",
    ["/login", "/register", "/robots.txt", "/healthz", "/no-such-page", "/static/courtwatch.css", "/courthouses"],
)
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    headers = response.headers
    csp = _csp(headers["Content-Security-Policy"])
    for directive, sources in REQUIRED_CSP.items():
        assert csp.get(directive) == sources, (directive, csp)
    for directive, sources in csp.items():
        assert set(sources) <= ALLOWED_SOURCES, f"third-party or unsafe source in {directive}: {sources}"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_security_headers_for_logged_in_pages(volunteer_client):
    response = volunteer_client.get("/courthouses")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_pages_load_nothing_from_other_hosts_and_have_no_inline_script(client):
    html = client.get("/register").get_data(as_text=True)
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "<script>" not in html and " style=" not in html


# ---------------------------------------------------------------- errors
@pytest.fixture
def exploding_app(test_config, app):
    broken = create_app(test_config)

    @broken.route("/explode")
    def explode():
        raise RuntimeError("secret internal detail")

    explode.access_level = "public"
    broken.test_client_class = CsrfClient
    return broken


def test_unexpected_error_shows_a_page_without_traceback(exploding_app):
    response = exploding_app.test_client().get("/explode")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html
    assert "Traceback" not in html and "secret internal detail" not in html and "RuntimeError" not in html
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_unexpected_error_writes_nothing(test_config, app):
    broken = create_app(test_config)

    @broken.route("/half-done")
    def half_done():
        db.session.add(User(email="half@example.org", name="Half", password_hash="x"))
        db.session.flush()
        raise RuntimeError("after the flush")

    half_done.access_level = "public"
    assert broken.test_client().get("/half-done").status_code == 500
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_not_found_page(client, volunteer_client):
    for who in (client, volunteer_client):
        response = who.get("/no/such/page")
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert "This page does not exist." in html and "Traceback" not in html
    assert volunteer_client.get("/courthouses/999999").status_code == 404


def test_method_not_allowed_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Traceback" not in response.get_data(as_text=True)


# ---------------------------------------------------------------- language
def test_browser_language_picks_spanish(client):
    html = client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="es">' in html
    # The compiled Spanish catalog is really used, not just the lang attribute.
    assert "Iniciar sesión" in html and "¿Olvidaste tu contraseña?" in html
    html = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Forgot your password?" in html


def test_unsupported_browser_language_falls_back_to_english(client):
    html = client.get("/login", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_account_setting_wins_over_the_browser(login_as, make_user):
    user = make_user(email="habla@example.org")
    user.locale = "es"
    db.session.commit()
    client = login_as(user)
    html = client.get("/account", headers={"Accept-Language": "en-US,en"}).get_data(as_text=True)
    assert '<html lang="es">' in html
    user.locale = "en"
    db.session.commit()
    html = client.get("/account", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_language_switch_in_the_footer(client):
    response = client.post("/language", data={"locale": "es", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in html
    evil = client.post("/language", data={"locale": "en", "next": "//evil.example/"})
    assert evil.headers["Location"] == "/"
