"""Partner tokens (CLI and admin page) and the de-identified incident rows they open."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from courtwatch.db import db
from courtwatch.opendata.models import ApiToken
from courtwatch.opendata.settings import update_settings
from courtwatch.privacy.models import AuditEvent
from tests.opendata.conftest import PERIOD

ROWS = "/api/v1/incidents"
ROW_FIELDS = {
    "id",
    "date",
    "date_precision",
    "courthouse",
    "courthouse_name",
    "county",
    "action",
    "agencies",
    "agent_count_band",
    "target_role",
    "warrant_shown",
    "court_type",
}


def _token(runner, label="Coalition") -> str:
    result = runner.invoke(args=["api", "token", "create", "--label", label, "--scope", "incidents"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_cli_prints_the_token_once_and_stores_only_its_hash(app, runner, campaign):
    plaintext = _token(runner)
    assert plaintext.startswith("cwp_") and len(plaintext) > 40
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash != plaintext and plaintext not in json.dumps(
        {c.name: str(getattr(row, c.name)) for c in ApiToken.__table__.columns}
    )
    listing = runner.invoke(args=["api", "token", "list"]).output
    assert plaintext not in listing and row.prefix in listing
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.created")))
    assert len(events) == 1 and plaintext not in (events[0].detail or "")


def test_cli_refuses_an_unknown_scope_with_one_line_and_status_2(runner, campaign):
    result = runner.invoke(args=["api", "token", "create", "--label", "X", "--scope", "everything"])
    assert result.exit_code == 2
    assert "Unknown scope" in result.output and "Traceback" not in result.output
    assert db.session.scalar(select(ApiToken)) is None


def test_rows_are_one_per_verified_incident_with_only_the_documented_fields(client, runner, campaign):
    token = _token(runner)
    response = client.get(ROWS, query_string=PERIOD, headers=_bearer(token))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache"
    rows = response.get_json()["rows"]
    assert len(rows) == 20  # 19 unlinked confirmed reports + 1 Incident; unverified and false alarm left out
    assert all(set(row) == ROW_FIELDS for row in rows)
    incident = next(row for row in rows if row["action"] == "attempted_arrest")
    assert incident == {
        **incident,
        "date": "2025-02-03",
        "courthouse": "alpha",
        "county": "Suffolk County",
        "agencies": ["hsi", "ice_ero", "local_police"],
        "agent_count_band": "5-9",
    }
    arrest = next(row for row in rows if row["courthouse"] == "alpha" and row["action"] == "arrest")
    assert (
        arrest["date"],
        arrest["agent_count_band"],
        arrest["target_role"],
        arrest["warrant_shown"],
        arrest["court_type"],
    ) == ("2025-01-21", "1", "victim_survivor", "none_shown", "family")
    assert [row["date"] for row in rows] == sorted(row["date"] for row in rows)


def test_rows_can_be_coarsened_to_the_week(client, runner, campaign):
    update_settings(None, date_precision="week")
    db.session.commit()
    rows = client.get(ROWS, query_string=PERIOD, headers=_bearer(_token(runner))).get_json()["rows"]
    arrest = next(row for row in rows if row["courthouse"] == "alpha" and row["action"] == "arrest")
    assert (arrest["date"], arrest["date_precision"]) == ("2025-01-20", "week")  # the Monday of 21 January 2025
    assert {row["date_precision"] for row in rows} == {"week"}


def test_pages_follow_the_cursor_without_gaps_or_repeats(client, runner, campaign):
    token = _token(runner)
    whole = client.get(ROWS, query_string=PERIOD, headers=_bearer(token)).get_json()["rows"]
    seen, after = [], None
    for _page in range(30):
        query = {**PERIOD, "limit": 3, **({"after": after} if after else {})}
        response = client.get(ROWS, query_string=query, headers=_bearer(token))
        body = response.get_json()
        seen += body["rows"]
        after = body["next"]
        if after is None:
            assert "Link" not in response.headers
            break
        assert 'rel="next"' in response.headers["Link"]
    assert [row["id"] for row in seen] == [row["id"] for row in whole]
    assert client.get(ROWS, query_string={"after": "not-a-cursor"}, headers=_bearer(token)).status_code == 400


def test_csv_rows_match_json(client, runner, campaign):
    token = _token(runner)
    json_rows = client.get(ROWS, query_string=PERIOD, headers=_bearer(token)).get_json()["rows"]
    text = client.get(ROWS + ".csv", query_string=PERIOD, headers=_bearer(token)).get_data(as_text=True)
    lines = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert set(lines[0]) == ROW_FIELDS
    assert [line["id"] for line in lines] == [row["id"] for row in json_rows]
    assert lines[0]["agencies"] == ";".join(json_rows[0]["agencies"])


def test_no_token_a_wrong_token_or_a_revoked_token_gets_401(client, runner, campaign):
    token = _token(runner)
    assert client.get(ROWS).status_code == 401
    assert client.get(ROWS, headers=_bearer("cwp_" + "x" * 43)).status_code == 401
    assert client.get(ROWS, headers={"Authorization": token}).status_code == 401  # not "Bearer …"
    token_id = db.session.scalar(select(ApiToken.id))
    result = runner.invoke(args=["api", "token", "revoke", str(token_id)])
    assert result.exit_code == 0
    response = client.get(ROWS, headers=_bearer(token))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_partner_rows_do_not_need_the_public_page(client, runner, campaign):
    # Publication off (the default): the public summary is closed, a partner's token still works.
    token = _token(runner)
    assert client.get("/api/v1/incidents/summary").status_code == 404
    assert client.get(ROWS, query_string=PERIOD, headers=_bearer(token)).status_code == 200


def test_admin_issues_and_revokes_tokens_in_the_browser_form(admin_client, client, campaign):
    page = admin_client.get("/admin/open-data")
    assert page.status_code == 200
    response = admin_client.post("/admin/open-data/tokens", data={"label": "Newsroom data desk", "scope": "incidents"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = html.split('<code class="token-once">')[1].split("</code>")[0]
    assert client.get(ROWS, query_string=PERIOD, headers=_bearer(token)).status_code == 200
    listing = admin_client.get("/admin/open-data").get_data(as_text=True)
    assert "Newsroom data desk" in listing and token not in listing
    token_id = db.session.scalar(select(ApiToken.id))
    assert admin_client.post(f"/admin/open-data/tokens/{token_id}/revoke").status_code == 302
    assert client.get(ROWS, headers=_bearer(token)).status_code == 401
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"api_token.created", "api_token.revoked", "api_token.used"} <= actions


def test_an_empty_label_is_refused_beside_the_field(admin_client, campaign):
    response = admin_client.post("/admin/open-data/tokens", data={"label": "  ", "scope": "incidents"})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True) or "Name the partner" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(ApiToken)) is None


def test_volunteers_and_coordinators_cannot_reach_the_admin_page(volunteer_client, coordinator_client, campaign):
    for client in (volunteer_client, coordinator_client):
        assert client.get("/admin/open-data").status_code == 403
        assert client.post("/admin/open-data/tokens", data={"label": "x", "scope": "incidents"}).status_code == 403
