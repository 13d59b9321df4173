"""The Summaries pages as coordinators use them, and who may open them."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from courtwatch.auth.models import AccountStatus, Role
from courtwatch.db import utcnow
from tests.reports import dataset

Q1 = {"date_from": "2025-01-01", "date_to": "2025-03-31"}
GET_ROUTES = [
    "/reports",
    "/reports/print",
    "/reports/charts/months.svg",
    "/reports/charts/courthouses.svg",
    "/reports/volunteers",
]
POST_ROUTES = ["/reports/export", "/reports/volunteers/export"]


@pytest.fixture
def data(app, make_courthouse, make_user):
    return dataset.build(make_courthouse, make_user)


@pytest.mark.parametrize("url", GET_ROUTES + POST_ROUTES)
def test_volunteer_gets_403_on_every_report_route(url, volunteer_client):
    response = (
        volunteer_client.post(url, data={**Q1, "format": "csv", "level": "summary"})
        if url in POST_ROUTES
        else volunteer_client.get(url, query_string=Q1)
    )
    assert response.status_code == 403


@pytest.mark.parametrize("url", GET_ROUTES + POST_ROUTES)
def test_anonymous_and_pending_are_sent_away(url, client, make_user, login_as):
    response = client.post(url, data=Q1) if url in POST_ROUTES else client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    pending = login_as(make_user(Role.COORDINATOR, status=AccountStatus.PENDING))
    response = pending.post(url, data=Q1) if url in POST_ROUTES else pending.get(url)
    assert response.status_code == 302 and "/login" not in response.headers["Location"]


def test_every_report_route_is_declared_staff_only(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("reports."):
            view = app.view_functions[rule.endpoint]
            assert set(view.required_roles) == {"coordinator"}, rule.endpoint


def test_summary_page_shows_the_figures(data, coordinator_client):
    response = coordinator_client.get("/reports", query_string=Q1)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Alpha Courthouse" in html and "Gamma Courthouse" in html
    assert "<strong>5</strong> incidents" in html
    assert response.headers["Cache-Control"] == "no-store"
    everything = coordinator_client.get("/reports", query_string={**Q1, "scope": "all"}).get_data(as_text=True)
    assert "<strong>6</strong> incidents" in everything


def test_default_page_opens_and_admin_may_use_it(data, admin_client):
    response = admin_client.get("/reports")
    assert response.status_code == 200
    assert 'name="date_from"' in response.get_data(as_text=True)


def test_bad_filter_is_shown_next_to_the_field(data, coordinator_client):
    from tests.conftest import form_errors

    response = coordinator_client.get("/reports", query_string={"date_from": "2025-03-01", "date_to": "2025-01-01"})
    assert response.status_code == 422
    assert form_errors(response.get_data(as_text=True)) == ["The end date is before the start date."]
    response = coordinator_client.get("/reports", query_string={"date_from": "yesterday"})
    assert response.status_code == 422 and form_errors(response.get_data(as_text=True))


def test_charts_are_svg_made_on_the_server(data, coordinator_client):
    response = coordinator_client.get("/reports/charts/months.svg", query_string=Q1)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "2025-02" in svg
    assert "<script" not in svg and 'href="http' not in svg  # nothing loaded from another host
    places = coordinator_client.get("/reports/charts/courthouses.svg", query_string=Q1).get_data(as_text=True)
    assert "Gamma" in places


def test_printable_report_has_filters_tables_charts_and_method(data, coordinator_client):
    html = coordinator_client.get("/reports/print", query_string=Q1).get_data(as_text=True)
    assert "2025-01-01 to 2025-03-31" in html and "confirmed only" in html
    assert "/reports/charts/months.svg?" in html and "Method" in html
    assert "counted once" in html and "local calendar days" in html
    public = coordinator_client.get("/reports/print", query_string={**Q1, "suppress": "1"}).get_data(as_text=True)
    assert "&lt;3" in public and "/reports/charts/" not in public


def test_volunteer_hours_page(data, coordinator_client):
    html = coordinator_client.get("/reports/volunteers", query_string=Q1).get_data(as_text=True)
    assert "Val One" in html and "5.5" in html and "Val Three" not in html


def test_summary_page_query_count_does_not_grow_with_data(data, coordinator_client, app, make_courthouse):
    from sqlalchemy import event

    from courtwatch.db import db

    def count_queries():
        statements = []

        def listener(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert coordinator_client.get("/reports", query_string=Q1).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    before = count_queries()
    for number in range(3):
        courthouse = make_courthouse(name=f"Extra {number}", slug=f"extra-{number}")
        dataset.report(courthouse, dataset.at("2025-02-02 10:00"), action="arrest")
    db.session.commit()
    assert count_queries() == before


def test_the_usual_window_and_the_prepared_date_are_the_campaigns_today(app, data, coordinator_client, process_zone):
    """``date.today()`` is the server's clock zone. Here it is 26 hours from the campaign's, so the
    two never agree: the report must end on the campaign's today and say it was prepared then."""
    app.config["CAMPAIGN_TIMEZONE"] = "Etc/GMT+12"
    process_zone("Etc/GMT-14")
    today = utcnow().astimezone(ZoneInfo("Etc/GMT+12")).date().isoformat()
    page = coordinator_client.get("/reports").get_data(as_text=True)
    ends = re.findall(r'<input[^>]*name="date_to"[^>]*>', page)  # the filter and the export forms
    assert ends and all(f'value="{today}"' in end for end in ends), ends
    printed = coordinator_client.get("/reports/print").get_data(as_text=True)
    assert re.search(rf"<dd>{today}</dd>", printed)
