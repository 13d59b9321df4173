"""Every kind of email, in English and Spanish, for courthouses in three zones (one across the date
line from UTC): the courthouse's wall-clock time with the zone's abbreviation and no seconds, the
courthouse's local date, and links on BASE_URL built from the routes."""

from __future__ import annotations

import re

import pytest

from courtwatch.notify.messages import EMAIL_KINDS, render_email
from courtwatch.notify.samples import sample_courthouse, sample_email

# (zone, abbreviation on 1 December 2026, UTC date of 8:30 local that day)
ZONES = [
    ("America/New_York", "EST", "2026-12-01"),
    ("Pacific/Auckland", "NZDT", "2026-11-30"),
    ("America/Los_Angeles", "PST", "2026-12-01"),
]
DAY = {"en": "Tuesday, December 1, 2026", "es": "martes, 1 de diciembre de 2026"}
CLOCK = {"en": "8:30 AM", "es": "8:30 a. m."}
NOT_WANTED = re.compile(r"\d:\d\d:\d\d|Coordinated Universal Time|UTC|America/|Pacific/|\(\w+/\w+\)")
TIMED_KINDS = [kind for kind in EMAIL_KINDS if kind not in ("password_reset", "calendar_problem", "sign_in_changed")]


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("zone,abbreviation,_utc_day", ZONES)
@pytest.mark.parametrize("kind", TIMED_KINDS)
def test_times_are_the_courthouses_with_its_zone_label(app, kind, lang, zone, abbreviation, _utc_day):
    with app.test_request_context("/", base_url="http://some-other-host:8080"):
        subject, body = sample_email(kind, lang, sample_courthouse(zone))
    text = subject + "\n" + body
    assert f"{CLOCK[lang]} {abbreviation}" in subject, subject
    assert f"{CLOCK[lang]} " in body and abbreviation in body, body
    assert DAY[lang] in body, body  # Auckland's 8:30 on the 1st is the 30th in UTC: the local day is shown
    assert not NOT_WANTED.search(text), NOT_WANTED.search(text)
    if lang == "es":
        assert "When:" not in body and "Cuándo:" in body
    # Links: the public address, never the host of the request that happened to queue the mail.
    links = re.findall(r"https?://\S+", body)
    assert links and all(link.startswith("http://localhost/") for link in links), links
    assert "some-other-host" not in text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_shift_span_and_links_follow_the_routes(app, lang):
    subject, body = sample_email("release_request", lang, sample_courthouse("Pacific/Auckland"))
    assert f"{CLOCK[lang]} – 11:30 {'AM' if lang == 'en' else 'a. m.'} NZDT" in body
    assert "http://localhost/shifts/42" in body and "http://localhost/coordinator/shifts/42" in body


@pytest.mark.parametrize("lang,greeting", [("en", "Someone (probably you)"), ("es", "Alguien (probablemente tú)")])
def test_password_reset_is_a_template_with_a_routed_link(app, lang, greeting):
    subject, body = sample_email("password_reset", lang)
    assert greeting in body
    assert "http://localhost/password/reset/sample-token" in body


def test_base_url_with_a_path_prefix(app):
    app.config["BASE_URL"] = "https://watch.example.org/campaign/"
    _subject, body = render_email("password_reset", "en", token="t", minutes=60)
    assert "https://watch.example.org/campaign/password/reset/t" in body


def test_preview_command(runner):
    result = runner.invoke(args=["notify", "preview", "shift_reminder", "--lang", "es"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Subject: Recordatorio:") and "8:30 a. m. EST" in result.output
    result = runner.invoke(args=["notify", "preview", "no_such_kind"])
    assert result.exit_code == 2 and "no such kind of email" in result.output
