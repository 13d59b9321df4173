"""An alert reaches an on-call volunteer on the channels they chose: by default a text message
through the provider's API, minimal and nameless, with the dispatch link (the channels' own tests
cover push encryption and the provider protocol)."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.notify.services import send_due
from courtwatch.rapid.models import Alert
from tests.observations.conftest import arrest_form
from tests.rapid.test_rapid import on_call
from tests.support.providers import sms_settings


@pytest.fixture
def court(make_courthouse):
    return make_courthouse(name="Chelsea District Court", slug="chelsea", county="Suffolk County")


@pytest.fixture
def test_config(test_config, sms):
    return {
        **test_config,
        **sms_settings(sms),
    }


def test_an_arrest_report_texts_the_on_call_volunteer_without_names(
    volunteer_client, volunteer, court, make_user, sms, mailbox
):
    here = make_user("volunteer", name="Hana Here")
    here.phone = "+16175550123"
    db.session.commit()
    on_call(here, courthouse=court)
    data = arrest_form(court, narrative="Agents took Juan Perez away in cuffs.")
    assert volunteer_client.post("/observations/new", data=data).status_code == 302
    alert = db.session.scalar(select(Alert))
    send_due()
    db.session.commit()
    texts = [parse_qs(r.body.decode()) for r in sms.received]
    to_here = [t for t in texts if t["To"] == ["+16175550123"]]
    assert len(to_here) == 1
    body = to_here[0]["Body"][0]
    assert body.startswith("Courtwatch: agents reported at") and f"/alerts/{alert.id}" in body
    for secret in ("Juan", "Perez", volunteer.name, "Hana"):
        assert secret not in body
    # Alerts default to push and SMS where available: this person got the text, not an email.
    assert not [m for m in mailbox.to(here.email) if "ALERT" in m["Subject"]]
