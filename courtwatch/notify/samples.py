"""Made-up messages for ``flask notify preview`` and the message tests: unsaved objects only.

Nothing here touches the database, so a preview can run against production to check wording.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from courtwatch.courts.models import Courthouse
from courtwatch.notify.messages import external_url, render_email
from courtwatch.observations.models import Observation
from courtwatch.shifts.models import Shift


def sample_courthouse(timezone: str = "America/New_York") -> Courthouse:
    return Courthouse(
        id=1,
        name="Boston Immigration Court",
        short_name="Boston Immigration",
        slug="boston",
        timezone=timezone,
        street_address="15 New Sudbury Street",
        city="Boston",
        state="MA",
        postal_code="02203",
        county="Suffolk County",
    )


def sample_context(kind: str, courthouse: Courthouse | None = None, start: tuple = (2026, 12, 1, 8, 30)) -> dict:
    """The keyword arguments ``render_email(kind, ...)`` takes, around a shift or report starting at
    ``start`` (the courthouse's wall-clock time)."""
    courthouse = courthouse or sample_courthouse()
    starts_at = datetime(*start, tzinfo=ZoneInfo(courthouse.timezone))
    shift = Shift(
        id=42,
        kind="observation",
        courthouse=courthouse,
        starts_at=starts_at,
        ends_at=starts_at.replace(hour=starts_at.hour + 3),
        meeting_point="Front steps",
        sequence=0,
    )
    if kind == "observation_alert":
        report = Observation(
            id=7,
            courthouse=courthouse,
            observed_at=starts_at,
            action="arrest",
            area="outside_steps",
            courtroom="Room 205",
            agent_count=3,
        )
        return {"observation": report}
    if kind in ("alert", "alert_update"):
        from courtwatch.rapid.models import Alert

        alert = Alert(id=5, courthouse=courthouse, raised_at=starts_at, action="arrest", area="hallway", agent_count=3)
        extra = {"event": "going", "going": 2, "on_scene": 1, "eta": 10} if kind == "alert_update" else {}
        return {"alert": alert, **extra}
    if kind == "password_reset":
        return {"token": "sample-token", "minutes": 60}
    if kind == "sign_in_changed":
        return {"change": "password"}
    if kind == "shift_offer":
        shift.kind = "accompaniment"
        previous = Shift(
            id=41,
            kind="accompaniment",
            courthouse=courthouse,
            starts_at=starts_at - timedelta(days=28),
            ends_at=starts_at - timedelta(days=28) + timedelta(hours=3),
            meeting_point="Front steps",
            sequence=0,
        )
        offer = SimpleNamespace(id=9, opens_at=starts_at - timedelta(days=6))
        return {"shift": shift, "previous": previous, "offer": offer}
    if kind == "calendar_problem":
        return {
            "problem": "held",
            "source_name": "Suffolk County docket",
            "detail": "It would add 3, change 1 and cancel 25 hearings (of 30 future hearings).",
        }
    return {
        "shift": shift,
        "assigned": False,
        "reason": "The hearing moved, so the shift moved with it.",
        "hours": 24,
        "yes_url": external_url("shift_confirm.answer", token="sample-token", answer="yes"),
        "release_url": external_url("shift_confirm.answer", token="sample-token", answer="release"),
        "person": SimpleNamespace(name="Ana Morales", email="volunteer1@example.org"),
    }


def sample_email(
    kind: str, locale: str, courthouse: Courthouse | None = None, start: tuple = (2026, 12, 1, 8, 30)
) -> tuple[str, str]:
    """(subject, body) of one kind of email, composed the way the app composes it."""
    context = sample_context(kind, courthouse, start)
    if kind == "observation_alert":
        from courtwatch.observations.alerts import compose_alert

        return compose_alert(context["observation"], locale)
    if kind in ("alert", "alert_update"):
        from courtwatch.rapid.alerts import compose

        return compose(kind, context.pop("alert"), locale, **context)
    return render_email(kind, locale, **context)
