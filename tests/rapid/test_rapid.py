"""On-call windows, alerts from reports and "Agents here now", dispatch, escalation, coverage."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from courtwatch.db import db, utcnow
from courtwatch.notify.models import OutboxMessage
from courtwatch.notify.services import send_due
from courtwatch.rapid import alerts, oncall
from courtwatch.rapid.models import Alert, AlertOptIn, OnCallWindow
from tests.observations.conftest import arrest_form, report_form


@pytest.fixture
def court(make_courthouse):
    return make_courthouse(name="Chelsea District Court", slug="chelsea", county="Suffolk County")


@pytest.fixture
def other_court(make_courthouse):
    return make_courthouse(name="Lowell Court", slug="lowell", county="Middlesex County")


def on_call(user, courthouse=None, county=None, hours=(-1, 3)):
    now = utcnow()
    window = oncall.add_window(
        user, now + timedelta(hours=hours[0]), now + timedelta(hours=hours[1]), courthouse=courthouse, county=county
    )
    db.session.commit()
    return window


def alert_mail(address):
    return [m for m in db.session.scalars(select(OutboxMessage)) if m.to_address == address and "ALERT" in m.subject]


def all_mail_to(address):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)))


# ---------------------------------------------------------------- CLI
def test_cli_adds_a_window_in_courthouse_local_time(runner, court, make_user):
    person = make_user("volunteer")
    result = runner.invoke(
        args=[
            "oncall",
            "add",
            person.email,
            "--courthouse",
            "chelsea",
            "--start",
            "2030-01-07 09:00",
            "--end",
            "2030-01-07 13:00",
        ]
    )
    assert result.exit_code == 0, result.output
    window = db.session.scalar(select(OnCallWindow))
    assert window.user_id == person.id and window.courthouse_id == court.id
    assert window.starts_at.hour == 14 and window.starts_at.utcoffset() == timedelta(0)  # 09:00 EST = 14:00 UTC


@pytest.mark.parametrize(
    "args, words",
    [
        (["--courthouse", "chelsea", "--start", "tomorrow 9", "--end", "2030-01-07 13:00"], "YYYY-MM-DD HH:MM"),
        (["--courthouse", "nowhere", "--start", "2030-01-07 09:00", "--end", "2030-01-07 13:00"], "nowhere"),
        (["--courthouse", "chelsea", "--start", "2030-01-07 13:00", "--end", "2030-01-07 09:00"], "after the start"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(runner, court, make_user, args, words):
    person = make_user("volunteer")
    result = runner.invoke(args=["oncall", "add", person.email, *args])
    assert result.exit_code == 2
    assert words in result.output and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    assert db.session.scalar(select(OnCallWindow)) is None


def test_cli_unknown_email(runner, court):
    result = runner.invoke(
        args=[
            "oncall",
            "add",
            "nobody@example.org",
            "--courthouse",
            "chelsea",
            "--start",
            "2030-01-07 09:00",
            "--end",
            "2030-01-07 13:00",
        ]
    )
    assert result.exit_code == 2 and "nobody@example.org" in result.output


# ---------------------------------------------------------------- alerts from reports
def test_arrest_report_alerts_on_call_coordinators_and_responders_not_other_courthouses(
    volunteer_client, volunteer, coordinator, court, other_court, make_user, mailbox
):
    here = make_user("volunteer", name="Hana Here")
    county = make_user("volunteer", name="Kai County")
    elsewhere = make_user("volunteer", name="Olu Elsewhere")
    later = make_user("volunteer", name="Lee Later")
    responder = make_user("responder", name="Rosa Lawyer")
    on_call(here, courthouse=court)
    on_call(county, county="Suffolk County")
    on_call(elsewhere, courthouse=other_court)
    on_call(later, courthouse=court, hours=(5, 8))

    data = arrest_form(court, narrative="Agents took Juan Perez away in cuffs.")
    assert volunteer_client.post("/observations/new", data=data).status_code == 302
    alert = db.session.scalar(select(Alert))
    assert alert is not None and alert.action == "arrest" and alert.area == "outside_steps" and alert.agent_count == 2
    alerted = {r.user_id for r in alert.recipients}
    assert alerted == {here.id, county.id, coordinator.id, responder.id}
    assert elsewhere.id not in alerted and later.id not in alerted and volunteer.id not in alerted

    send_due()
    db.session.commit()
    received = mailbox.to(here.email)
    alert_messages = [m for m in received if "ALERT" in m["Subject"]]
    assert len(alert_messages) == 1
    body = mailbox.body(alert_messages[0])
    assert "Chelsea District Court" in body and "Outside / steps" in body and "Arrest" in body
    assert "Agents seen: 2" in body and f"/alerts/{alert.id}" in body
    for secret in (volunteer.name, volunteer.email, "Juan", "Perez", "Room 205", "Hana"):
        assert secret not in body and secret not in alert_messages[0]["Subject"]
    assert not mailbox.to(elsewhere.email)
    # A resend of the same report raises nothing new.
    volunteer_client.post("/observations/new", data=data)
    assert len(list(db.session.scalars(select(Alert)))) == 1


@pytest.mark.parametrize(
    "overrides", [{"action": "sighting"}, {"agents_present": "unsure", "action": "attempted_arrest"}]
)
def test_no_alert_from_a_sighting_or_without_agents_present(volunteer_client, court, make_user, overrides):
    on_call(make_user("volunteer"), courthouse=court)
    form = report_form(court, **overrides) if overrides.get("action") == "sighting" else arrest_form(court, **overrides)
    assert volunteer_client.post("/observations/new", data=form).status_code == 302
    assert db.session.scalar(select(Alert)) is None


def test_agents_here_now_is_two_taps(login_as, court, make_user, coordinator):
    reporter = make_user("volunteer", name="Rita Reporter")
    watcher = make_user("volunteer")
    on_call(watcher, courthouse=court)
    client = login_as(reporter)
    page = client.get(f"/courthouses/{court.id}")
    assert f"/courthouses/{court.id}/agents-here" in page.get_data(as_text=True)  # tap one
    assert client.get(f"/courthouses/{court.id}/agents-here").status_code == 200
    response = client.post(f"/courthouses/{court.id}/agents-here", data={"area": "hallway"})  # tap two
    alert = db.session.scalar(select(Alert))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/alerts/{alert.id}")
    assert alert.area == "hallway" and alert.source == "button"
    assert {r.user_id for r in alert.recipients} == {watcher.id, coordinator.id}
    assert all("Rita" not in m.body_text for m in db.session.scalars(select(OutboxMessage)))
    bad = client.post(f"/courthouses/{court.id}/agents-here", data={"area": "roof"})
    assert bad.status_code == 400 and len(list(db.session.scalars(select(Alert)))) == 1


# ---------------------------------------------------------------- dispatch
def test_going_stand_down_and_verification_reach_everyone_alerted(login_as, court, make_user, coordinator):
    going = make_user("volunteer", name="Gina Goer")
    other = make_user("volunteer", name="Omar Other")
    on_call(going, courthouse=court)
    on_call(other, courthouse=court)
    alert = alerts.raise_alert(court, action="arrest", area="hallway", agent_count=3)
    db.session.commit()
    alert_id = alert.id
    everyone = (going, other, coordinator)

    goer = login_as(going)
    assert goer.post(f"/alerts/{alert_id}/respond", data={"status": "going", "eta": "10"}).status_code == 302
    page = login_as(other).get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "Gina" in page and "Goer" not in page  # first names only
    for person in everyone:
        assert any("about 10 minutes" in m.body_text for m in all_mail_to(person.email))
    # A preset that isn't offered is refused, nothing broadcast.
    before = len(list(db.session.scalars(select(OutboxMessage))))
    goer.post(f"/alerts/{alert_id}/respond", data={"status": "going", "eta": "7"})
    assert len(list(db.session.scalars(select(OutboxMessage)))) == before

    staff = login_as(coordinator)
    assert staff.post(f"/alerts/{alert_id}/verify", data={"result": "false_alarm"}).status_code == 302
    assert staff.post(f"/alerts/{alert_id}/stand-down").status_code == 302
    for person in everyone:
        subjects = [m.subject for m in all_mail_to(person.email)]
        assert any(s.startswith("STAND DOWN") for s in subjects)
        assert any("False alarm" in s for s in subjects)
    for message in db.session.scalars(select(OutboxMessage)):
        assert "Gina" not in message.body_text and "Omar" not in message.body_text
    db.session.expire_all()
    alert = db.session.get(Alert, alert_id)
    assert alert.stood_down_at is not None and alert.verification == "false_alarm"


def test_dispatch_access(login_as, client, court, make_user, coordinator):
    alerted = make_user("volunteer")
    stranger = make_user("volunteer")
    on_call(alerted, courthouse=court)
    alert = alerts.raise_alert(court, action="sighting", area="hallway")
    db.session.commit()
    assert client.get(f"/alerts/{alert.id}").status_code == 302  # to the login page
    assert login_as(stranger).get(f"/alerts/{alert.id}").status_code == 403
    assert login_as(stranger).post(f"/alerts/{alert.id}/respond", data={"status": "on_scene"}).status_code == 403
    volunteer = login_as(alerted)
    assert volunteer.get(f"/alerts/{alert.id}").status_code == 200
    assert volunteer.post(f"/alerts/{alert.id}/stand-down").status_code == 403
    assert volunteer.post(f"/alerts/{alert.id}/verify", data={"result": "confirmed"}).status_code == 403
    assert volunteer.get("/oncall/coverage").status_code == 403
    assert login_as(coordinator).get(f"/alerts/{alert.id}").status_code == 200
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).stood_down_at is None


# ---------------------------------------------------------------- escalation
def test_escalation_widens_to_county_then_opted_in(app, court, make_user, make_courthouse, coordinator):
    neighbour_court = make_courthouse(name="Revere Court", slug="revere", county="Suffolk County")
    far_court = make_courthouse(name="Worcester Court", slug="worcester", county="Worcester County")
    neighbour = make_user("volunteer")
    far = make_user("volunteer")
    fan = make_user("volunteer")
    pending_fan = make_user("volunteer", status="pending")
    on_call(neighbour, courthouse=neighbour_court)
    on_call(far, courthouse=far_court)
    db.session.add_all(
        [AlertOptIn(user_id=fan.id, courthouse_id=court.id), AlertOptIn(user_id=pending_fan.id, courthouse_id=court.id)]
    )
    db.session.commit()
    raised = utcnow() - timedelta(minutes=4)
    alert = alerts.raise_alert(court, action="arrest", area="hallway", now=raised)
    db.session.commit()
    assert {r.user_id for r in alert.recipients} == {coordinator.id}

    assert alerts.escalate_due(now=raised + timedelta(minutes=4)) == 0  # under the default 5 minutes
    assert alerts.escalate_due(now=raised + timedelta(minutes=5)) == 1
    db.session.commit()
    assert {r.user_id for r in alert.recipients} == {coordinator.id, neighbour.id}
    assert alert_mail(neighbour.email) and not alert_mail(far.email)

    assert alerts.escalate_due(now=raised + timedelta(minutes=10)) == 1
    db.session.commit()
    assert {r.user_id for r in alert.recipients} == {coordinator.id, neighbour.id, fan.id}
    assert alerts.escalate_due(now=raised + timedelta(minutes=60)) == 0  # nobody left to add


def test_no_escalation_once_someone_is_going_and_setting_is_read(app, runner, court, make_user, make_courthouse):
    app.config["ALERT_ESCALATION_MINUTES"] = 2
    first = make_user("volunteer")
    neighbour = make_user("volunteer")
    on_call(first, courthouse=court)
    on_call(neighbour, courthouse=make_courthouse(slug="revere", county="Suffolk County"))
    quiet = alerts.raise_alert(court, action="arrest", now=utcnow() - timedelta(minutes=3))
    answered = alerts.raise_alert(court, action="arrest", now=utcnow() - timedelta(minutes=3))
    alerts.respond(first, answered, "going", 5)
    db.session.commit()
    result = runner.invoke(args=["oncall", "escalate"])
    assert result.exit_code == 0 and "widened 1" in result.output
    db.session.expire_all()
    assert neighbour.id in {r.user_id for r in db.session.get(Alert, quiet.id).recipients}
    assert neighbour.id not in {r.user_id for r in db.session.get(Alert, answered.id).recipients}


# ---------------------------------------------------------------- my windows and coverage
def test_on_call_page_adds_and_removes_my_window(login_as, court, make_user):
    person = make_user("responder")
    client = login_as(person)
    tomorrow = court.local(utcnow() + timedelta(days=1)).date().isoformat()
    data = {
        "place": f"c:{court.id}",
        "start_date": tomorrow,
        "start_time": "09:00",
        "end_date": tomorrow,
        "end_time": "08:00",
    }
    bad = client.post("/oncall", data=data)
    assert bad.status_code == 400 and "after the start" in bad.get_data(as_text=True)
    assert f'value="{tomorrow}"' in bad.get_data(as_text=True)  # what was typed is kept
    assert db.session.scalar(select(OnCallWindow)) is None
    assert client.post("/oncall", data={**data, "end_time": "17:00"}).status_code == 302
    window = db.session.scalar(select(OnCallWindow))
    assert window.user_id == person.id and court.local(window.starts_at).hour == 9
    county = client.post("/oncall", data={**data, "place": "k:Suffolk County", "end_time": "12:00"})
    assert county.status_code == 302
    other = login_as(make_user("volunteer"))
    assert other.post(f"/oncall/{window.id}/remove").status_code == 404
    assert client.post(f"/oncall/{window.id}/remove").status_code == 302
    assert [w.county for w in db.session.scalars(select(OnCallWindow))] == ["Suffolk County"]


def test_coverage_lists_worst_first(coordinator_client, court, other_court, make_courthouse, make_user):
    third = make_courthouse(name="Quincy Court", slug="quincy", county="Norfolk County")
    on_call(make_user("volunteer"), courthouse=court)  # now: covered
    on_call(make_user("volunteer"), courthouse=other_court, hours=(24, 26))  # later this week only
    html = coordinator_client.get("/oncall/coverage").get_data(as_text=True)
    assert html.index(third.name) < html.index("Lowell Court") < html.index("Chelsea District Court")


def test_volunteer_opts_in_and_out_of_a_courthouses_last_call(login_as, court, make_user):
    person = make_user("volunteer")
    client = login_as(person)
    assert client.post("/oncall/opt-in", data={"courthouse": str(court.id)}).status_code == 302
    assert client.post("/oncall/opt-in", data={"courthouse": str(court.id)}).status_code == 302  # twice is once
    assert [(o.user_id, o.courthouse_id) for o in db.session.scalars(select(AlertOptIn))] == [(person.id, court.id)]
    assert court.name in client.get("/oncall").get_data(as_text=True)
    assert client.post("/oncall/opt-in", data={"courthouse": "nope"}).status_code == 302
    assert client.post(f"/oncall/opt-in/{court.id}/remove").status_code == 302
    assert db.session.scalar(select(AlertOptIn)) is None


def test_weekly_window_repeats_at_local_time_across_daylight_saving(runner, court, make_user):
    person = make_user("volunteer")
    # Monday 4 March 2030, 09:00-13:00 EST; daylight saving starts on Sunday 10 March.
    result = runner.invoke(
        args=[
            "oncall",
            "add",
            person.email,
            "--courthouse",
            "chelsea",
            "--start",
            "2030-03-04 09:00",
            "--end",
            "2030-03-04 13:00",
            "--weekly",
        ]  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    window = db.session.scalar(select(OnCallWindow))
    assert window.weekly
    next_monday_nine = court.local(window.starts_at).replace(day=11).astimezone(UTC)  # 09:00 EDT = 13:00 UTC
    assert next_monday_nine.hour == 13
    assert [u.id for u in oncall.on_call_for(court, next_monday_nine + timedelta(minutes=1))] == [person.id]
    assert oncall.on_call_for(court, next_monday_nine - timedelta(minutes=1)) == []
    assert oncall.on_call_for(court, next_monday_nine + timedelta(hours=4, minutes=1)) == []
    spans = window.occurrences(next_monday_nine - timedelta(days=1), next_monday_nine + timedelta(days=8))
    assert [court.local(s).strftime("%d %H:%M") for s, _e in spans] == ["11 09:00", "18 09:00"]


def test_on_call_page_sets_a_weekly_window(login_as, court, make_user):
    client = login_as(make_user("volunteer"))
    day = court.local(utcnow() + timedelta(days=2)).date().isoformat()
    data = {"place": f"c:{court.id}", "start_date": day, "start_time": "09:00", "end_date": day, "end_time": "12:00"}
    assert client.post("/oncall", data={**data, "weekly": "y"}).status_code == 302
    assert db.session.scalar(select(OnCallWindow)).weekly
    assert "every week" in client.get("/oncall").get_data(as_text=True)
