"""Registration, approval and what a pending account may see."""

from datetime import timedelta

from sqlalchemy import func, select

from courtwatch.auth.models import AccountStatus, User
from courtwatch.db import db, utcnow
from courtwatch.privacy.models import AuditEvent
from tests.conftest import form_errors

GOOD = {
    "name": "Paz Nueva",
    "email": "Paz@Example.org",
    "password": "a long enough secret",
    "confirm": "a long enough secret",
    "languages": ["es", "en"],
    "phone": "",
    "locale": "",
}


def _log_in(client, email="paz@example.org", password=GOOD["password"]):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_registered_volunteer_is_pending_and_sees_only_account(client):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    user = db.session.scalar(select(User).where(User.email == "paz@example.org"))
    assert user.status == AccountStatus.PENDING
    assert user.language_codes == ["es", "en"]
    _log_in(client)
    page = client.get("/account").get_data(as_text=True)
    assert 'id="pending-notice"' in page
    # Rosters and courthouse lists stay closed until approval.
    assert client.get("/courthouses").headers["Location"].endswith("/account")
    assert client.get("/").headers["Location"].endswith("/account")


def test_short_password_is_refused_next_to_the_field_and_input_kept(client):
    response = client.post("/register", data={**GOOD, "password": "short", "confirm": "short"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert any("10" in e for e in form_errors(html))
    assert 'value="Paz Nueva"' in html and 'value="Paz@Example.org"' in html
    assert db.session.scalar(select(User)) is None


def test_overlong_password_is_refused(client):
    long_password = "x" * 5000
    response = client.post("/register", data={**GOOD, "password": long_password, "confirm": long_password})
    assert response.status_code == 422
    assert db.session.scalar(select(User)) is None


def test_duplicate_email_creates_nothing(client, volunteer):
    response = client.post("/register", data={**GOOD, "email": volunteer.email.upper()})
    assert response.status_code == 302  # the same answer as for a new address (tests/security)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_coordinator_approves_and_approval_is_audited(client, coordinator_client, coordinator):
    client.post("/register", data=GOOD)
    _log_in(client)
    user = db.session.scalar(select(User).where(User.email == "paz@example.org"))
    listing = coordinator_client.get("/coordinator/volunteers?status=pending").get_data(as_text=True)
    assert "Paz Nueva" in listing
    response = coordinator_client.post(f"/coordinator/volunteers/{user.id}/approve")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).status == AccountStatus.ACTIVE
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.approved"))
    assert event.actor_id == coordinator.id and event.object_id == user.id
    # The approved volunteer now gets past the approval gate.
    assert client.get("/courthouses").status_code == 200


def test_suspension_ends_the_session(login_as, volunteer, coordinator_client):
    volunteer_client = login_as(volunteer)
    assert volunteer_client.get("/courthouses").status_code == 200
    coordinator_client.post(f"/coordinator/volunteers/{volunteer.id}/suspend")
    response = volunteer_client.get("/courthouses")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert (
        volunteer_client.post(
            "/login", data={"email": volunteer.email, "password": "correct horse battery"}
        ).status_code
        == 422
    )


def test_training_recorded_with_error_next_to_field(coordinator_client, volunteer):
    bad = coordinator_client.post(
        f"/coordinator/volunteers/{volunteer.id}/trainings",
        data={"training": "Accompaniment training", "completed_on": "2999-01-01"},
    )
    assert bad.status_code == 422
    assert "future" in " ".join(form_errors(bad.get_data(as_text=True)))
    good = coordinator_client.post(
        f"/coordinator/volunteers/{volunteer.id}/trainings",
        data={"training": "Accompaniment training", "completed_on": "2026-01-05"},
    )
    assert good.status_code == 302
    db.session.expire_all()
    assert [t.training.name for t in db.session.get(User, volunteer.id).trainings] == ["Accompaniment training"]


def test_todays_training_is_not_refused_as_future_by_the_servers_clock_zone(
    coordinator_client, volunteer, process_zone
):
    """A server whose clock zone is behind the coordinator's (here UTC-12) refused a training done
    today as "in the future". Nothing after today anywhere on Earth is refused."""
    process_zone("Etc/GMT+12")
    today_furthest_east = (utcnow() + timedelta(hours=14)).date()
    url = f"/coordinator/volunteers/{volunteer.id}/trainings"
    today = {"training": "Accompaniment training", "completed_on": today_furthest_east.isoformat()}
    assert coordinator_client.post(url, data=today).status_code == 302
    tomorrow = {**today, "completed_on": (today_furthest_east + timedelta(days=1)).isoformat()}
    assert coordinator_client.post(url, data=tomorrow).status_code == 422


def test_only_admin_changes_roles_and_it_is_audited(admin_client, coordinator_client, volunteer):
    assert (
        coordinator_client.post(f"/coordinator/volunteers/{volunteer.id}/role", data={"role": "admin"}).status_code
        == 403
    )
    assert (
        admin_client.post(f"/coordinator/volunteers/{volunteer.id}/role", data={"role": "coordinator"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).role == "coordinator"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed")) is not None
