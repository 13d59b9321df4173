"""Helpers for observation tests: a courthouse and the form data a volunteer would send."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from PIL import Image

from courtwatch.db import utcnow


def report_form(courthouse, **overrides) -> dict:
    """What the report form posts for a sighting 30 minutes ago (override any field)."""
    local = courthouse.local(utcnow() - timedelta(minutes=30))
    data = {
        "idempotency_key": uuid.uuid4().hex,
        "courthouse_id": str(courthouse.id),
        "observed_date": local.strftime("%Y-%m-%d"),
        "observed_time": local.strftime("%H:%M"),
        "courtroom": "Courtroom 3",
        "area": "hallway",
        "court_type": "criminal",
        "agents_present": "yes",
        "agent_count": "2",
        "agencies": ["ice_ero", "local_police"],
        "attire": "plainclothes",
        "markings": "POLICE on vest",
        "badges_seen": "",
        "vehicles": "Grey Ford Explorer, plate 4XK",
        "identified_themselves": "no",
        "action": "sighting",
        "narrative": "Two men with earpieces watched the entrance for an hour, then left on foot.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def arrest_form(courthouse, **overrides) -> dict:
    return report_form(
        courthouse,
        **{
            "action": "arrest",
            "target_role": "defendant",
            "warrant": "administrative",
            "force_used": "no",
            "area": "outside_steps",
            "courtroom": "Room 205",
            "narrative": "Three agents in ICE vests handcuffed a man at the bottom of the steps after his hearing.",
            **overrides,
        },
    )


def jpeg_bytes(size=(64, 48), exif=None, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def court(make_courthouse):
    return make_courthouse(name="Chelsea District Court", short_name="Chelsea", court_types=["criminal"])
