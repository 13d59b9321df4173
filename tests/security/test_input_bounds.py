"""Finding 9: input that cannot break later.

Huge numbers in ids, page numbers and filters answer 404 or a page without the filter (never 500);
a line break in a courthouse name is refused at the form and can never reach a mail header; a
``next`` with a line break or another host falls back to the home page.
"""

from __future__ import annotations

import pytest

from courtwatch.auth.models import Role
from courtwatch.db import db
from courtwatch.notify.delivery import build_email
from courtwatch.notify.models import OutboxMessage

HUGE = "98765432109876543210"  # 20 digits: past every SQL integer type


@pytest.mark.parametrize(
    "role,path",
    [
        ("volunteer", f"/shifts?page={HUGE}"),
        ("volunteer", f"/shifts?after={HUGE}"),
        ("volunteer", f"/shifts?courthouse={HUGE}"),
        ("volunteer", f"/me/observations?page={HUGE}"),
        ("volunteer", f"/observations/new?shift={HUGE}"),
        ("volunteer", f"/observations/new?courthouse={HUGE}"),
        ("coordinator", f"/coordinator/volunteers?page={HUGE}"),
        ("admin", f"/admin/audit?before={HUGE}"),
        ("coordinator", f"/coordinator/gaps?days={HUGE}"),
        ("coordinator", f"/coordinator/gaps?courthouse={HUGE}"),
        ("coordinator", f"/coordinator/observations?page={HUGE}"),
        ("coordinator", f"/coordinator/observations?courthouse={HUGE}"),
        ("coordinator", f"/coordinator/observations?incident={HUGE}"),
        ("coordinator", f"/courthouses?courthouse={HUGE}"),
        ("coordinator", f"/hearings?courthouse={HUGE}"),
        ("coordinator", f"/coordinator/shifts/new?courthouse={HUGE}"),
    ],
)
def test_huge_numbers_in_queries_never_give_500(make_user, login_as, role, path):
    client = login_as(make_user(role))
    response = client.get(path)
    assert response.status_code in (200, 302, 404), (path, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        f"/shifts/{HUGE}",
        f"/observations/{HUGE}",
        f"/coordinator/volunteers/{HUGE}",
        f"/courthouses/{HUGE}",
        f"/hearings/{HUGE}",
        f"/coordinator/shifts/{HUGE}",
        f"/coordinator/incidents/{HUGE}",
    ],
)
def test_huge_ids_in_paths_are_not_found(admin_client, path):
    assert admin_client.get(path).status_code == 404


def test_huge_id_in_a_posted_form_is_refused_cleanly(coordinator_client, make_courthouse):
    from datetime import UTC, datetime, timedelta

    from courtwatch.shifts import services as shift_services

    courthouse = make_courthouse()
    start = datetime.now(UTC) + timedelta(days=3)
    shift = shift_services.create_shift(
        None, courthouse=courthouse, kind="observation", starts_at=start, ends_at=start + timedelta(hours=3)
    )
    db.session.commit()
    response = coordinator_client.post(f"/coordinator/shifts/{shift.id}/assign", data={"user_id": HUGE})
    assert response.status_code in (302, 404, 409, 422)


def test_line_break_in_courthouse_name_is_refused_beside_the_field(coordinator_client):
    response = coordinator_client.post(
        "/courthouses/new",
        data={
            "name": "Boston Municipal",
            "short_name": "BMC\r\nBcc: everyone@example.org",
            "timezone": "America/New_York",
            "court_types": ["criminal"],
            "active": "y",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "one line" in html
    assert "BMC" in html  # what was typed is kept


def test_mail_headers_are_made_safe_when_sending(app):
    message = OutboxMessage(
        id=1,
        to_address="v@example.org",
        subject="Shift at BMC\r\nBcc: x@example.org",
        body_text="hello",
        urgent=False,
        attachments=[],
    )
    email = build_email(message, app.config)
    assert "\n" not in email["Subject"] and "\r" not in email["Subject"]
    assert email["Bcc"] is None
    assert email.as_bytes()  # serialises instead of raising "Header values may not contain linefeed"


@pytest.mark.parametrize(
    "target",
    [
        "/shifts\r\nSet-Cookie: x=1",
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "/ok\x00",
    ],
)
def test_unsafe_next_on_language_switch_goes_home(client, target):
    response = client.post("/language", data={"locale": "es", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_safe_next_is_kept(client):
    response = client.post("/language", data={"locale": "es", "next": "/shifts?day=2026-01-01"})
    assert response.headers["Location"] == "/shifts?day=2026-01-01"


def test_line_break_in_a_profile_name_is_refused(volunteer_client):
    response = volunteer_client.post("/account/profile", data={"name": "Vera\nBcc: x@example.org", "languages": ["en"]})
    assert response.status_code == 422


_ = Role
