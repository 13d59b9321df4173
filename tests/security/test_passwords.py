"""Finding 2: NIST SP 800-63B passwords (12 characters for staff, 10 for volunteers; common,
breached and context words refused) with a message that says what to do instead."""

from __future__ import annotations

import pytest

from courtwatch.auth import services
from courtwatch.auth.models import Role
from courtwatch.errors import DomainError
from tests.conftest import TEST_PASSWORD, form_errors

REGISTER = {"name": "Ana Example", "email": "ana.lopez@example.org", "languages": ["en"], "phone": "", "locale": ""}


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaa",
        "1234567890",
        "password12",
        "courtwatch",
        "Courtwatch2026!",
        "iloveyou12345",
        "qwertyuiop",
        "ana.lopez@example.org",
        "analopez1990",
        "iceoutofcourts",
    ],
)
def test_common_breached_and_context_passwords_are_refused(client, password):
    response = client.post("/register", data={**REGISTER, "password": password, "confirm": password})
    assert response.status_code == 422, password
    errors = " ".join(form_errors(response.get_data(as_text=True)))
    assert "words" in errors  # says what to do instead


def test_a_long_unusual_passphrase_is_accepted(client):
    response = client.post(
        "/register", data={**REGISTER, "password": "walnut ferry trombone", "confirm": "walnut ferry trombone"}
    )
    assert response.status_code == 302


def test_staff_need_twelve_characters_volunteers_ten(app):
    eleven = "Zq8#vLp2@xT"
    services.create_user(email="vol@example.org", name="V", password=eleven, role=Role.VOLUNTEER)
    with pytest.raises(DomainError, match="12"):
        services.create_user(email="staff@example.org", name="S", password=eleven, role=Role.COORDINATOR)


def test_password_change_checks_the_same_rules(volunteer_client):
    response = volunteer_client.post(
        "/account/password",
        data={"current_password": TEST_PASSWORD, "password": "password1234", "confirm": "password1234"},
    )
    assert response.status_code == 422
    assert any("guess" in e for e in form_errors(response.get_data(as_text=True)))
