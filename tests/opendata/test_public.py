"""The public page and embeds, the admin's settings, and the promise that nothing identifying leaves."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.opendata.models import OpenDataSettings
from courtwatch.privacy.models import AuditEvent
from tests.opendata.conftest import CANARY, PERIOD

SECTIONS = (
    "by_month",
    "by_courthouse",
    "by_county",
    "by_action",
    "by_court_type",
    "by_target_role",
    "by_warrant",
    "by_agency",
)
SETTINGS_FORM = {
    "enabled": "y",
    "title": "ICE Out of Courts: the numbers",
    "introduction": "Verified by our team.",
    "sections": list(SECTIONS),
    "threshold": "3",
    "published_from": "",
    "date_precision": "day",
    "frame_ancestors": "https://news.example.org",
}


def public_urls(client, token=None) -> list[tuple[str, dict]]:
    urls = [
        ("/open-data", PERIOD),
        ("/open-data/dictionary", {}),
        ("/api/v1/openapi.json", {}),
        ("/api/v1/dictionary.json", {}),
    ]
    for section in SECTIONS:
        urls += [(f"/open-data/embed/{section}", PERIOD), (f"/open-data/charts/{section}.svg", PERIOD)]
    for by in ("courthouse", "county", "month", "action", "court_type", "target_role", "warrant", "agency"):
        urls += [
            ("/api/v1/incidents/summary", {**PERIOD, "by": by}),
            ("/api/v1/incidents/summary.csv", {**PERIOD, "by": by}),
        ]
    return urls


def test_an_admin_turns_publication_on_in_a_few_clicks_and_it_is_audit_logged(admin_client, client, campaign):
    assert client.get("/open-data").status_code == 404
    home = admin_client.get("/").get_data(as_text=True)
    assert 'href="/admin/open-data"' in home  # the admin menu
    response = admin_client.post("/admin/open-data", data=SETTINGS_FORM)
    assert response.status_code == 302
    page = client.get("/open-data", query_string=PERIOD)
    assert page.status_code == 200
    assert "ICE Out of Courts: the numbers" in page.get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "opendata.settings_changed"))
    changes = json.loads(event.detail)["changes"]
    assert changes["enabled"] == [False, True]
    assert changes["frame_ancestors"] == ["", "https://news.example.org"]
    # The public footer now links the page, for visitors and the browser sweep alike.
    assert 'href="/open-data"' in client.get("/login").get_data(as_text=True)


def test_footer_link_is_absent_while_nothing_is_published(client, campaign):
    assert 'href="/open-data"' not in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("threshold", "1", "Number must be between 2 and 50."),
        ("published_from", "2025-1", "Enter a month as YYYY-MM."),
        ("frame_ancestors", "javascript:alert(1)", "Enter web addresses like https://news.example.org"),
        ("frame_ancestors", "http://news.example.org", "Enter web addresses like https://news.example.org"),
    ],
)
def test_bad_settings_are_refused_beside_the_field_and_nothing_is_saved(admin_client, campaign, field, value, message):
    response = admin_client.post("/admin/open-data", data={**SETTINGS_FORM, field: value})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="field-{field}"' in html and value.replace("&", "&amp;") in html  # what was typed stays
    settings = db.session.scalar(select(OpenDataSettings))
    assert settings is None or not settings.enabled
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "opendata.settings_changed")) is None


def test_no_public_answer_holds_free_text_a_reporter_a_courtroom_or_a_time_of_day(client, runner, published):
    token = runner.invoke(args=["api", "token", "create", "--label", "P", "--scope", "incidents"]).output.strip()
    answers = []
    for path, query in public_urls(client):
        response = client.get(path, query_string=query)
        assert response.status_code == 200, path
        answers.append((path, response.get_data(as_text=True)))
    for path in ("/api/v1/incidents", "/api/v1/incidents.csv"):
        response = client.get(path, query_string=PERIOD, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        answers.append((path, response.get_data(as_text=True)))
    for path, text in answers:
        assert CANARY not in text, path  # narratives, courtrooms, vehicles, notes, reporters, volunteers
        assert "canary.reporter@example.org" not in text, path
        assert "XYZ" not in text, path  # plates
        assert not re.search(r"\b(0?9:15|10:40|11:00|T\d\d:\d\d)\b", text.replace("Date:", "")), path


def test_no_public_answer_shows_a_suppressed_cell(client, published):
    # Alpha's one arrest (and the one attempted arrest) are suppressed; the pages show a dash, never the number.
    page = client.get("/open-data", query_string=PERIOD).get_data(as_text=True)
    alpha_row = page.split('<th scope="row">Alpha Courthouse</th>')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num">(.*?)</td>', alpha_row, re.S)
    # The January arrest (1) and the February attempted arrest (1) are hidden in their months, with their
    # complements (January's sightings, February's incidents), so no January-February figure of Alpha is shown.
    assert all("suppressed" in cell for cell in cells[:4])
    assert ">1<" not in alpha_row
    for section in SECTIONS:
        embed = client.get(f"/open-data/embed/{section}", query_string=PERIOD).get_data(as_text=True)
        numbers = {int(n) for n in re.findall(r'<td class="num">(\d+)</td>', embed)}
        incident_columns = {n for n in numbers if 0 < n < 3}
        assert not incident_columns or section in ("by_month", "by_courthouse", "by_county"), section
    summary = client.get("/api/v1/incidents/summary", query_string={**PERIOD, "by": "courthouse"}).get_json()
    for row in [*summary["rows"], summary["totals"]]:
        for column in ("sighting", "attempted_arrest", "arrest", "incidents"):
            assert row[column] is None or row[column] == 0 or row[column] >= 3


def test_only_the_public_routes_may_be_framed_and_only_by_listed_sites(client, admin_client, published):
    for path in ("/open-data", "/open-data/embed/by_month", "/open-data/charts/by_month.svg"):
        response = client.get(path, query_string=PERIOD)
        assert "frame-ancestors 'self' https://news.example.org;" in response.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in response.headers
    for other in (client.get("/login"), admin_client.get("/admin/open-data"), admin_client.get("/reports")):
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
        assert other.headers["X-Frame-Options"] == "DENY"


def test_embeds_and_charts_are_cacheable_and_answer_304(client, published):
    embed = client.get("/open-data/embed/by_courthouse", query_string=PERIOD)
    assert embed.headers["Cache-Control"] == "public, max-age=300"
    assert 'name="csrf_token"' not in embed.get_data(as_text=True)  # nothing per visitor in a cached embed
    again = client.get(
        "/open-data/embed/by_courthouse", query_string=PERIOD, headers={"If-None-Match": embed.headers["ETag"]}
    )
    assert again.status_code == 304
    chart = client.get("/open-data/charts/by_courthouse.svg", query_string=PERIOD)
    assert chart.mimetype == "image/svg+xml"
    svg = chart.get_data(as_text=True)
    assert "Alpha Courthouse" in svg
    assert not re.search(r'(href|src|url)\s*[=(]\s*"?https?://', svg) and "<script" not in svg  # nothing fetched


def test_page_carries_method_note_coverage_and_print_styles(client, published):
    html = client.get("/open-data", query_string=PERIOD).get_data(as_text=True)
    assert 'id="method"' in html and "Only reports a coordinator confirmed are counted" in html
    assert "Shifts staffed" in html and "Hours watched" in html
    assert "opendata.css" in html
    response = client.get("/static/opendata.css")
    css = response.get_data(as_text=True)
    response.close()  # a file response holds the file open until closed
    assert "@media print" in css


def test_a_bad_month_on_the_page_is_shown_beside_the_period_form(client, published):
    response = client.get("/open-data", query_string={"from": "2025-13"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="period-error"' in html and "2025-13" in html
