"""Run in a fresh interpreter by tests/test_wiring.py: import every courtwatch module in a given
order, build the app, and act out what crosses areas (a hearing that needs company, a suspension,
the start page). Prints what it saw as JSON on the last line.

Usage: python -m tests.support.wiring_probe ORDER CONFIG_JSON, ORDER being "sorted", "reversed"
or a seed for a shuffle.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import random
import sys
from datetime import timedelta


def import_everything(order: str) -> list[str]:
    import courtwatch

    names = sorted(module.name for module in pkgutil.walk_packages(courtwatch.__path__, "courtwatch."))
    if order == "reversed":
        names.reverse()
    elif order != "sorted":
        random.Random(int(order)).shuffle(names)
    for name in names:
        importlib.import_module(name)
    return names


def act_out(config: dict) -> dict:
    from courtwatch import create_app
    from courtwatch.auth import services as auth_services
    from courtwatch.courts import hearing_services
    from courtwatch.courts import services as court_services
    from courtwatch.courts.hearing_models import Hearing
    from courtwatch.db import db, utcnow
    from courtwatch.feeds import services as feed_services
    from courtwatch.shifts import claims
    from courtwatch.shifts import services as shift_services
    from courtwatch.shifts.hearing_hooks import shift_for_hearing

    app = create_app(config)
    seen: dict = {}
    with app.app_context():

        def person(role, email):
            return auth_services.create_user(
                email=email,
                name=role.title(),
                password="correct horse battery",
                role=role,
                status="active",
                languages=["en"],
            )

        admin = person("admin", "probe-admin@example.org")
        volunteer = person("volunteer", "probe-volunteer@example.org")
        courthouse = court_services.create_courthouse(
            None,
            name="Probe Courthouse",
            slug="probe",
            timezone="America/New_York",
            county="Suffolk County",
            state="MA",
            city="Boston",
            street_address="1 Probe Street",
            court_types=["criminal"],
        )
        hearing = Hearing(courthouse_id=courthouse.id, starts_at=utcnow() + timedelta(days=9), title="probe")
        db.session.add(hearing)
        db.session.flush()
        hearing_services.set_accompaniment_needed(admin, hearing, True)
        seen["accompaniment_shift"] = shift_for_hearing(hearing) is not None

        shift = shift_services.create_shift(
            None,
            courthouse=courthouse,
            kind="observation",
            starts_at=utcnow() + timedelta(days=3),
            ends_at=utcnow() + timedelta(days=3, hours=3),
            capacity=2,
            minimum=1,
        )
        claims.claim_shift(volunteer, shift.id)
        feed_services.create_token(volunteer, label="phone")
        db.session.commit()

        from courtwatch.auth.session import SESSION_TOKEN_KEY
        from courtwatch.auth.session_records import start_session

        token = start_session(volunteer, "wiring probe")  # logins are server-side session records
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = f"{volunteer.id}:{volunteer.session_version}"
            session["_fresh"] = True
            session[SESSION_TOKEN_KEY] = token
        page = client.get("/").get_data(as_text=True)
        positions = {"next shift": page.find("Your next shift"), "reports": page.find("Court watch reports")}
        seen["home_cards"] = [name for name, at in sorted(positions.items(), key=lambda item: item[1]) if at >= 0]

        auth_services.suspend_user(admin, volunteer)
        db.session.commit()
        seen["live_calendar_links"] = feed_services.count_live_tokens(volunteer)
        seen["claim_kept"] = claims.live_signup(shift.id, volunteer.id) is not None
        db.session.remove()
        db.engine.dispose()
    return seen


if __name__ == "__main__":
    imported = import_everything(sys.argv[1])
    print(json.dumps({"modules": len(imported), **act_out(json.loads(sys.argv[2]))}))
