"""Training pages: coordinators write them (sanitised Markdown), volunteers mark them read (who,
when, which version), the roster shows it, and a training can require every page read before a
coordinator records it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from courtwatch.auth import services as auth_services
from courtwatch.auth.models import UserTraining
from courtwatch.db import db
from courtwatch.handbook.models import TrainingPage, TrainingPageRead
from tests.conftest import form_errors

TRAINING = "Accompaniment training"


def _write_page(client, title: str, body: str, training_id: int, action: str = "save"):
    return client.post(
        "/training/new", data={"training_id": training_id, "title": title, "body": body, "action": action}
    )


def _training_id() -> int:
    training = auth_services.get_or_create_training(TRAINING)
    db.session.commit()
    return training.id


def test_coordinator_writes_a_sanitised_page_and_volunteer_marks_it_read(
    coordinator_client, volunteer_client, volunteer
):
    training_id = _training_id()
    preview = _write_page(coordinator_client, "At the door", "Meet **early**.", training_id, action="preview")
    assert preview.status_code == 200 and "<strong>early</strong>" in preview.get_data(as_text=True)
    assert db.session.scalar(select(TrainingPage)) is None
    response = _write_page(
        coordinator_client,
        "At the door",
        "Meet **early**.\n\n<script>alert(1)</script>\n\n<b onclick=x()>Hi</b>",
        training_id,
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/training/at-the-door")
    page = volunteer_client.get("/training/at-the-door")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = html.split('id="training-text">')[1].split("</article>")[0]
    assert "<strong>early</strong>" in text and "<script" not in text and "onclick" not in text
    assert "I have read this" in html
    assert page.headers["Cache-Control"] == "no-cache"
    assert 'href="/training/at-the-door"' in volunteer_client.get("/training").get_data(as_text=True)

    assert volunteer_client.post("/training/at-the-door/read").status_code == 302
    volunteer_client.post("/training/at-the-door/read")  # a second tap records nothing new
    marks = db.session.scalars(select(TrainingPageRead)).all()
    assert [(m.user_id, m.version) for m in marks] == [(volunteer.id, 1)] and marks[0].read_at is not None
    assert "You marked this page read" in volunteer_client.get("/training/at-the-door").get_data(as_text=True)


def test_edit_makes_a_new_version_to_read(coordinator_client, volunteer_client, volunteer):
    training_id = _training_id()
    _write_page(coordinator_client, "Warrants", "Version one.", training_id)
    volunteer_client.post("/training/warrants/read")
    coordinator_client.post(
        "/training/warrants/edit",
        data={
            "training_id": training_id,
            "title": "Warrants",
            "slug": "warrants",
            "body": "Version two.",
            "action": "save",
        },
    )
    page = db.session.scalar(select(TrainingPage))
    db.session.refresh(page)
    assert page.version == 2
    html = volunteer_client.get("/training/warrants").get_data(as_text=True)
    assert "changed since you read it" in html and "I have read this" in html
    volunteer_client.post("/training/warrants/read")
    versions = sorted(m.version for m in db.session.scalars(select(TrainingPageRead)))
    assert versions == [1, 2]


def test_reads_show_on_the_coordinator_roster(coordinator_client, volunteer_client, volunteer):
    training_id = _training_id()
    _write_page(coordinator_client, "First", "One.", training_id)
    _write_page(coordinator_client, "Second", "Two.", training_id)
    volunteer_client.post("/training/first/read")
    html = coordinator_client.get(f"/coordinator/volunteers/{volunteer.id}").get_data(as_text=True)
    section = html.split(f'id="reading-{training_id}"')[1].split("</ul>")[0]
    first, second = section.split("</li>")[:2]
    assert "First" in first and "read " in first and "badge ok" in first
    assert "Second" in second and "not read" in second
    page_html = coordinator_client.get("/training/first").get_data(as_text=True)
    assert "Who has read it" in page_html and volunteer.name in page_html and "current version" in page_html
    # Volunteers do not see who else has read it.
    assert "Who has read it" not in volunteer_client.get("/training/first").get_data(as_text=True)


def test_required_pages_must_be_read_before_the_training_is_granted(coordinator_client, volunteer_client, volunteer):
    training_id = _training_id()
    _write_page(coordinator_client, "Before you go", "Read me.", training_id)
    _write_page(coordinator_client, "In the courtroom", "Read me too.", training_id)
    assert coordinator_client.post(f"/training/settings/{training_id}", data={"required": "y"}).status_code == 302
    grant = {"training": TRAINING, "completed_on": date.today().isoformat()}
    refused = coordinator_client.post(f"/coordinator/volunteers/{volunteer.id}/trainings", data=grant)
    assert refused.status_code == 422
    errors = form_errors(refused.get_data(as_text=True))
    assert any("has not read every page" in e and "Before you go" in e and "In the courtroom" in e for e in errors), (
        errors
    )
    assert db.session.scalar(select(UserTraining).where(UserTraining.user_id == volunteer.id)) is None

    volunteer_client.post("/training/before-you-go/read")
    assert coordinator_client.post(f"/coordinator/volunteers/{volunteer.id}/trainings", data=grant).status_code == 422
    volunteer_client.post("/training/in-the-courtroom/read")
    assert coordinator_client.post(f"/coordinator/volunteers/{volunteer.id}/trainings", data=grant).status_code == 302
    assert db.session.scalar(select(UserTraining).where(UserTraining.user_id == volunteer.id)) is not None


def test_without_the_flag_the_training_is_granted_unread(coordinator_client, volunteer):
    training_id = _training_id()
    _write_page(coordinator_client, "Optional reading", "Text.", training_id)
    grant = {"training": TRAINING, "completed_on": date.today().isoformat()}
    assert coordinator_client.post(f"/coordinator/volunteers/{volunteer.id}/trainings", data=grant).status_code == 302


def test_bad_page_input_is_refused_next_to_the_field(coordinator_client):
    training_id = _training_id()
    _write_page(coordinator_client, "Taken", "Text.", training_id)
    response = coordinator_client.post(
        "/training/new",
        data={"training_id": training_id, "title": "Other", "slug": "taken", "body": "x", "action": "save"},
    )
    assert response.status_code == 422
    assert "Another page already uses this web address." in form_errors(response.get_data(as_text=True))
    assert 'value="Other"' in response.get_data(as_text=True)
    response = coordinator_client.post(
        "/training/new",
        data={"training_id": training_id, "title": "Bad", "slug": "Not OK!", "body": "x", "action": "save"},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(TrainingPage).where(TrainingPage.title == "Bad")) is None


def test_volunteers_cannot_write_pages(volunteer_client):
    training_id = _training_id()
    assert _write_page(volunteer_client, "Nope", "x", training_id).status_code == 403
    assert volunteer_client.post(f"/training/settings/{training_id}", data={"required": "y"}).status_code == 403


def test_read_and_change_times_are_in_the_campaigns_zone_not_utc(app, coordinator_client, volunteer_client, volunteer):
    """Read at 03:00 UTC is 7 or 8 PM the evening before in Los Angeles: the page, its readers list
    and the volunteer's record on the coordinator's side all say so, and none says UTC."""
    app.config["CAMPAIGN_TIMEZONE"] = "America/Los_Angeles"
    training_id = _training_id()
    _write_page(coordinator_client, "First", "One.", training_id)
    volunteer_client.post("/training/first/read")
    page = db.session.scalar(select(TrainingPage))
    read = db.session.scalar(select(TrainingPageRead))
    read.read_at = page.updated_at = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    db.session.commit()
    for client, path in (
        (volunteer_client, "/training/first"),
        (coordinator_client, "/training/first"),
        (coordinator_client, f"/coordinator/volunteers/{volunteer.id}"),
    ):
        html = client.get(path).get_data(as_text=True)
        assert re.search(r"(Nov 30, 2026|11/30/26), 7:00\W+PM PST", html), path
        assert "UTC" not in html and "3:00\u202fAM" not in html, path
