"""Courtwatch with no signal, with a real service worker (Chromium at 360x740, a real server).

After one online visit the phone has the pages it needs; offline, the report form opens from the
phone, a report with photos waits in IndexedDB with its key, and it reaches the server exactly
once (all its photos, downscaled) even when the page is closed in the middle of the send.
Logging out empties the caches and the queue; an accompanied person's details never reach
Cache Storage; a claim with no signal keeps the list and says "No signal, try again", with the
page's script and without it.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from courtwatch.db import db, utcnow
from courtwatch.observations import photos as photo_files
from courtwatch.observations.models import Observation, ObservationPhoto
from tests.conftest import TEST_PASSWORD
from tests.shifts.test_listing import _accompaniment
from tests.support.browser import push_to_service_worker

pytestmark = pytest.mark.browser

NARRATIVE = "Two men in plain clothes with earpieces by the metal detectors, 9:10 to 9:40."
CACHE_TEXT = """async () => {
  const texts = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      texts.push(name + " " + request.url + " " + await response.text());
    }
  }
  return texts;
}"""
CACHE_NAMES = "async () => await caches.keys()"
QUEUE_DATABASES = "async () => (await indexedDB.databases()).map(d => d.name)"


def _log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def _visit_once(page, path: str = "/") -> None:
    """One online visit: the worker installs and keeps this person's pages."""
    page.goto(path)
    page.wait_for_selector("html[data-offline-ready='1']", state="attached")


def _big_photo(path, colour) -> str:
    image = Image.effect_noise((3000, 2000), 40).convert("RGB")
    image.paste(Image.new("RGB", (1000, 1000), colour), (200, 200))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    path.write_bytes(buffer.getvalue())
    return str(path)


def _fill_sighting(page, court_id: int) -> None:
    page.locator("#courthouse_id").select_option(str(court_id))
    page.locator('input[name="agents_present"][value="yes"]').check()
    page.locator("#agent_count").fill("2")
    page.locator('input[name="action"][value="sighting"]').check()
    page.locator("#narrative").fill(NARRATIVE)


def _count(model=Observation) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_report_written_offline_is_queued_and_arrives_once_with_its_photos(phone, make_user, make_courthouse, tmp_path):
    volunteer = make_user()
    court = make_courthouse(name="Chelsea District Court", court_types=["criminal"])
    page = phone.new_page()
    _log_in(page, volunteer.email)
    _visit_once(page)

    # No signal, and a reload from cold: the form opens from the phone, with the courthouse list.
    phone.set_offline(True)
    page.goto("/observations/new")
    assert page.locator(f'#courthouse_id option[value="{court.id}"]').count() == 1
    assert page.locator("[data-offline-note]").is_visible()  # "as of" the last sync
    assert page.locator("[data-offline-synced]").inner_text().strip()

    pictures = [_big_photo(tmp_path / f"p{i}.jpg", c) for i, c in enumerate([(200, 0, 0), (0, 200, 0), (0, 0, 200)])]
    _fill_sighting(page, court.id)
    page.locator('input[name="photos"]').set_input_files(pictures)
    first_key = page.locator('input[name="idempotency_key"]').input_value()
    page.get_by_role("button", name="Send report").click()
    page.locator("#send-status").get_by_text("No signal").wait_for()
    page.locator("#report-queue").get_by_text("1 report waiting to send").wait_for()

    _fill_sighting(page, court.id)  # a second report, no photos
    assert page.locator('input[name="idempotency_key"]').input_value() != first_key
    page.get_by_role("button", name="Send report").click()
    page.locator("#report-queue").get_by_text("2 reports waiting to send").wait_for()
    states = page.locator("#report-queue li").all_inner_texts()
    assert len(states) == 2 and all("Waiting for signal" in s and "Chelsea District Court" in s for s in states)
    assert _count() == 0

    # Signal returns: the next page that opens (or Background Sync) sends both, once each.
    page.close()
    phone.set_offline(False)
    page = phone.new_page()
    page.goto("/me/shifts")
    page.wait_for_selector("html[data-queue-count='0']", state="attached", timeout=60_000)
    assert _count() == 2
    first = db.session.scalar(select(Observation).where(Observation.idempotency_key == first_key))
    assert first.narrative == NARRATIVE and first.reporter_id == volunteer.id
    assert len(first.photos) == 3
    for row in first.photos:
        with Image.open(io.BytesIO(photo_files.photo_bytes(row))) as stored:
            assert max(stored.size) <= 2048  # downscaled on the phone
    assert _count(ObservationPhoto) == 3


def test_page_closed_in_the_middle_of_a_send_gives_exactly_one_report(phone, make_user, make_courthouse, tmp_path):
    volunteer = make_user()
    court = make_courthouse(name="Chelsea District Court", court_types=["criminal"])
    page = phone.new_page()
    _log_in(page, volunteer.email)
    _visit_once(page, "/observations/new")
    # One bar, upload even slower: the photos take a long while to go up.
    cdp = phone.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 10_000},
    )
    _fill_sighting(page, court.id)
    pictures = [_big_photo(tmp_path / f"p{i}.jpg", c) for i, c in enumerate([(200, 0, 0), (0, 200, 0), (0, 0, 200)])]
    page.locator('input[name="photos"]').set_input_files(pictures)
    key = page.locator('input[name="idempotency_key"]').input_value()
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/observations/new"), timeout=30_000):
        page.get_by_role("button", name="Send report").click()
    page.close()  # pocketed mid-send
    assert _count() == 0

    page = phone.new_page()
    page.goto("/")
    page.wait_for_selector("html[data-queue-count='0']", state="attached", timeout=60_000)
    assert _count() == 1
    report = db.session.scalar(select(Observation))
    assert report.idempotency_key == key and len(report.photos) == 3


def test_logout_empties_the_caches_and_the_queue(phone, make_user):
    volunteer = make_user()
    page = phone.new_page()
    _log_in(page, volunteer.email)
    _visit_once(page, "/observations/new")
    assert any(name.startswith("courtwatch-user-") for name in page.evaluate(CACHE_NAMES))
    # A report another account left waiting on this phone (never sent under this session).
    page.evaluate(
        """() => CourtwatchQueue.put({key: 'k-other-123456', owner: '999999', action: '/observations/new',
                                        state: 'sign-in', fields: [], photos: [], summary: 'x'})"""
    )
    assert "courtwatch-offline" in page.evaluate(QUEUE_DATABASES)

    page.locator(".menu-narrow summary").click()
    page.locator(".menu-narrow").get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login"))
    page.wait_for_selector("html[data-device-cleared='1']", state="attached")
    names = page.evaluate(CACHE_NAMES)
    assert not [n for n in names if n.startswith("courtwatch-user-") or n == "courtwatch-meta"], names
    assert "courtwatch-offline" not in page.evaluate(QUEUE_DATABASES)
    # A logged-out page is never kept.
    page.goto("/login")
    assert not any("/login" in text.split(" ")[1] for text in page.evaluate(CACHE_TEXT))


def test_accompanied_person_details_never_reach_cache_storage(phone, app, make_user, make_courthouse):
    from courtwatch.auth import services as auth_services
    from courtwatch.shifts import accompaniment, claims

    volunteer = make_user()
    shift = _accompaniment(make_courthouse)
    auth_services.record_training(None, volunteer, accompaniment.accompaniment_training(), utcnow().date())
    claims.claim_shift(volunteer, shift.id)
    accompaniment.confirm_pairing(volunteer, claims.live_signup(shift.id, volunteer.id).id)
    app.config["DETAILS_REVEAL_HOURS"] = 100
    db.session.commit()

    page = phone.new_page()
    _log_in(page, volunteer.email)
    _visit_once(page, "/me/shifts")
    page.goto(f"/shifts/{shift.id}")
    assert "Zelda" in page.content()  # shown to the volunteer who goes...
    page.goto("/me/shifts")
    page.wait_for_selector("html[data-offline-ready='1']", state="attached")
    stored = "\n".join(page.evaluate(CACHE_TEXT))
    assert "/me/shifts" in stored  # the shifts I hold are kept...
    for secret in ("Zelda", "Blue jacket"):  # (the language asked is on every shift list)
        assert secret not in stored  # ...but never who I accompany


def test_details_page_is_stamped_never_store(app, make_user, make_courthouse, login_as):
    from courtwatch.auth import services as auth_services
    from courtwatch.shifts import accompaniment, claims

    volunteer = make_user()
    shift = _accompaniment(make_courthouse)
    auth_services.record_training(None, volunteer, accompaniment.accompaniment_training(), utcnow().date())
    claims.claim_shift(volunteer, shift.id)
    accompaniment.confirm_pairing(volunteer, claims.live_signup(shift.id, volunteer.id).id)
    app.config["DETAILS_REVEAL_HOURS"] = 100
    db.session.commit()
    response = login_as(volunteer).get(f"/shifts/{shift.id}")
    assert "Zelda" in response.get_data(as_text=True)
    assert response.headers["X-Courtwatch-Offline"] == "never"
    assert "no-store" in response.headers["Cache-Control"]


def test_another_persons_session_never_sees_the_first_ones_pages(phone, make_user):
    first, second = make_user(), make_user()
    page = phone.new_page()
    _log_in(page, first.email)
    _visit_once(page)
    first_caches = [n for n in page.evaluate(CACHE_NAMES) if n.startswith("courtwatch-user-")]
    phone.clear_cookies()  # the session ended without logging out; someone else signs in
    _log_in(page, second.email)
    _visit_once(page, "/shifts")
    caches_now = [n for n in page.evaluate(CACHE_NAMES) if n.startswith("courtwatch-user-")]
    assert len(first_caches) == 1 and len(caches_now) == 1 and caches_now != first_caches


def test_push_shows_the_notification_from_its_json(phone, make_user, live_server):
    volunteer = make_user()
    page = phone.new_page()
    _log_in(page, volunteer.email)
    _visit_once(page)
    shown = push_to_service_worker(
        phone,
        page,
        live_server.url,
        '{"title": "Shift tomorrow", "body": "Chelsea, 8:30 AM", "url": "/me/shifts", "tag": "s-1"}',
    )
    assert shown == [["Shift tomorrow", "Chelsea, 8:30 AM", "s-1", "/me/shifts"]]


def test_logout_answers_clear_site_data(volunteer_client):
    response = volunteer_client.post("/logout")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert 'data-clear-device="1"' in volunteer_client.get("/login").get_data(as_text=True)


def test_a_report_the_server_refused_opens_back_in_the_form(phone, make_user):
    volunteer = make_user()
    page = phone.new_page()
    _log_in(page, volunteer.email)
    _visit_once(page, "/observations/new")
    page.evaluate(
        """(owner) => CourtwatchQueue.put({key: 'k-refused-123456', owner: owner, action: '/observations/new',
              state: 'refused', summary: 'Chelsea', photos: [],
              fields: [['csrf_token', 'old'], ['idempotency_key', 'k-refused-123456'], ['narrative', 'Kept text']]})""",
        str(volunteer.id),
    )
    page.goto("/")
    queue = page.locator("#report-queue")
    queue.get_by_text("Not accepted").wait_for()
    queue.get_by_role("button", name="Open").click()
    page.wait_for_url(re.compile(r"/observations/new$"))
    assert page.locator("#narrative").input_value() == "Kept text"
    assert page.locator('input[name="idempotency_key"]').input_value() == "k-refused-123456"
    assert page.evaluate("CourtwatchQueue.all().then(rs => rs.length)") == 0
