"""Local-time helpers: the memoised formatter must give exactly what flask_babel gave, per
zone and per language, whatever was formatted before it in the same process or request."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import flask_babel
import pytest
from flask_babel import force_locale

from courtwatch.home.templating import day_heading, local_date, local_datetime, local_time

MOMENTS = [
    datetime(2026, 3, 8, 6, 30, tzinfo=UTC),  # the night the US springs forward
    datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # ...and falls back
    datetime(2026, 7, 1, 23, 45, tzinfo=UTC),
]
ZONES = ["America/New_York", "America/Los_Angeles", "America/Chicago", "Pacific/Honolulu"]


@pytest.mark.parametrize("order", [("en", "es", "en"), ("es", "en", "es")])
def test_helpers_match_flask_babel_for_every_zone_and_language(app, order):
    with app.test_request_context("/"):
        for locale in order:  # one request, the language switched under it, as notices do
            with force_locale(locale):
                for moment in MOMENTS:
                    for name in ZONES:
                        wall = moment.astimezone(ZoneInfo(name)).replace(tzinfo=None)
                        assert local_time(moment, name) == flask_babel.format_time(wall, "short")
                        for fmt in ("short", "medium", "long", "full"):
                            # The locale's date and short time (never seconds), then the zone's abbreviation.
                            shown = local_datetime(moment, ZoneInfo(name), fmt)
                            abbreviation = moment.astimezone(ZoneInfo(name)).strftime("%Z")
                            assert shown.endswith(" " + abbreviation) and name not in shown
                            assert flask_babel.format_date(wall.date(), fmt) in shown
                            assert flask_babel.format_time(wall, "short") in shown
                            assert flask_babel.format_time(wall, "medium") not in shown  # no seconds
                            if fmt == "short":
                                assert shown == f"{flask_babel.format_datetime(wall, 'short')} {abbreviation}"
                            assert local_date(moment, name, fmt) == flask_babel.format_date(wall.date(), fmt)
                            assert day_heading(wall.date(), fmt) == flask_babel.format_date(wall.date(), fmt)


def test_same_instant_differs_by_zone_and_language(app):
    moment = datetime(2026, 7, 1, 17, 0, tzinfo=UTC)
    with app.test_request_context("/"):
        with force_locale("en"):
            assert local_time(moment, "America/New_York").replace("\u202f", " ") == "1:00 PM"
            assert local_time(moment, "America/Los_Angeles").replace("\u202f", " ") == "10:00 AM"
        with force_locale("es"):
            assert local_time(moment, "America/New_York") == "13:00"
            assert local_time(moment, "America/Los_Angeles") == "10:00"
            assert local_date(moment, "Pacific/Honolulu") == "miércoles, 1 de julio de 2026"
        with force_locale("en"):
            assert local_date(moment, "Pacific/Honolulu") == "Wednesday, July 1, 2026"
