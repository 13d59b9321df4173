"""The public API: the summary in JSON and CSV, ETag/304, CORS, cache headers, errors, rate limit, documents."""

from __future__ import annotations

import csv
import io

import pytest

from courtwatch.db import db
from courtwatch.opendata.settings import update_settings
from tests.opendata.conftest import PERIOD

SUMMARY = "/api/v1/incidents/summary"


def test_nothing_is_published_until_an_admin_turns_it_on(client, campaign):
    for path in (
        SUMMARY,
        SUMMARY + ".csv",
        "/open-data",
        "/open-data/embed/by_month",
        "/open-data/charts/by_month.svg",
    ):
        response = client.get(path, query_string=PERIOD)
        assert response.status_code == 404, path
        assert b"Alpha" not in response.data
    error = client.get(SUMMARY).get_json()["error"]
    assert error["status"] == 404


def test_summary_by_courthouse_gives_counts_with_coverage_and_marks_what_is_suppressed(client, published):
    response = client.get(SUMMARY, query_string={**PERIOD, "by": "courthouse"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["from"], body["to"], body["by"], body["threshold"]) == ("2025-01", "2025-02", "courthouse", 3)
    rows = {row["key"]: row for row in body["rows"]}
    assert rows["gamma"] | {} == {
        **rows["gamma"],
        "sighting": 3,
        "attempted_arrest": 0,
        "arrest": 0,
        "incidents": 3,
        "county": "Suffolk County",
        "suppressed": [],
    }
    assert rows["alpha"]["arrest"] is None and "arrest" in rows["alpha"]["suppressed"]
    # Beta's February counts complement Alpha's lone February attempted arrest in that month's totals, so
    # they stay hidden inside every period that contains February; the zero is still shown.
    assert rows["beta"]["attempted_arrest"] == 0 and rows["beta"]["arrest"] is None
    assert (rows["alpha"]["shifts_scheduled"], rows["alpha"]["shifts_staffed"], rows["alpha"]["hours_observed"]) == (
        2,
        2,
        7.0,
    )
    assert rows["gamma"]["incidents"] == 3  # Chicago local time: still January
    assert body["totals"]["incidents"] == 20  # unverified and false-alarm reports are not counted


@pytest.mark.parametrize("by", ["courthouse", "county", "month", "action"])
def test_csv_holds_the_same_figures_as_json(client, published, by):
    json_rows = client.get(SUMMARY, query_string={**PERIOD, "by": by}).get_json()["rows"]
    response = client.get(SUMMARY + ".csv", query_string={**PERIOD, "by": by})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [line["key"] for line in lines[:-1]] == [row["key"] for row in json_rows]
    for line, row in zip(lines[:-1], json_rows, strict=True):
        assert line["incidents"] == ("" if row["incidents"] is None else str(row["incidents"]))
        assert line["suppressed"] == ";".join(row["suppressed"])
    assert lines[-1]["label"] == "All courthouses"


def test_etag_gives_304_and_cache_headers_allow_shared_caches(client, published):
    first = client.get(SUMMARY, query_string=PERIOD)
    assert first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(SUMMARY, query_string=PERIOD, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    other = client.get(
        SUMMARY, query_string={**PERIOD, "by": "county"}, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert other.status_code == 200


def test_cors_lets_any_site_read_the_public_answers(client, published):
    for path in (SUMMARY, SUMMARY + ".csv", "/api/v1/openapi.json", "/api/v1/dictionary.json"):
        response = client.get(path, query_string=PERIOD, headers={"Origin": "https://news.example.org"})
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(SUMMARY, headers={"Origin": "https://x.example", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"from": "2025-13"}, "from"),
        ({"to": "25-01"}, "to"),
        ({"from": "2025-03", "to": "2025-01"}, "to"),
        ({"from": "2000-01", "to": "2025-01"}, "to"),
        ({"by": "reporter"}, "by"),
        ({"to": "0000-01"}, "to"),
        ({"from": "=cmd|' /C calc'!A0"}, "from"),
    ],
)
def test_bad_parameters_get_a_json_error_naming_the_field(client, published, query, field):
    response = client.get(SUMMARY, query_string=query)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["field"] == field


def test_a_table_the_campaign_does_not_publish_is_not_served(client, published):
    update_settings(None, sections=["by_month", "by_action"])
    db.session.commit()
    assert client.get(SUMMARY, query_string={"by": "courthouse"}).status_code == 404
    assert client.get(SUMMARY, query_string={"by": "month"}).status_code == 200
    assert client.get("/open-data/embed/by_courthouse").status_code == 404


def test_the_public_rate_limit_answers_429_in_json(app, test_config, published):
    from courtwatch import create_app

    limited = create_app({**test_config, "OPENDATA_RATE_LIMIT": "3 per minute"})
    client = limited.test_client()
    statuses = [client.get(SUMMARY, query_string=PERIOD).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(SUMMARY)
    assert response.status_code == 429
    assert response.get_json()["error"]["status"] == 429


def test_openapi_document_describes_the_interface(client, published):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {
        "/api/v1/incidents/summary",
        "/api/v1/incidents/summary.csv",
        "/api/v1/incidents",
        "/api/v1/incidents.csv",
    } <= set(document["paths"])
    by = next(p for p in document["paths"]["/api/v1/incidents/summary"]["get"]["parameters"] if p["name"] == "by")
    assert {"courthouse", "county", "month", "action"} <= set(by["schema"]["enum"])
    dictionary = client.get("/api/v1/dictionary.json").get_json()
    assert {f["name"] for f in dictionary["incident_row"]} == set(
        document["components"]["schemas"]["IncidentRow"]["properties"]
    )


def test_a_settings_change_shows_at_once_despite_the_memory_of_publications(client, published):
    before = client.get(SUMMARY, query_string={**PERIOD, "by": "courthouse"}).get_json()
    assert before["rows"][2]["sighting"] == 3  # Gamma
    update_settings(None, threshold=6)
    db.session.commit()
    after = client.get(SUMMARY, query_string={**PERIOD, "by": "courthouse"}).get_json()
    assert after["threshold"] == 6 and after["rows"][2]["sighting"] is None


def test_with_no_memory_a_newly_confirmed_report_counts_at_once(app, test_config, published):
    from courtwatch import create_app
    from tests.opendata.conftest import at, report

    fresh = create_app({**test_config, "OPENDATA_CACHE_SECONDS": 0}).test_client()
    first = fresh.get(SUMMARY, query_string={**PERIOD, "by": "month"}).get_json()["totals"]["incidents"]
    report(published["gamma"], at("2025-02-20 10:00"), "sighting")
    db.session.commit()
    assert fresh.get(SUMMARY, query_string={**PERIOD, "by": "month"}).get_json()["totals"]["incidents"] == first + 1
