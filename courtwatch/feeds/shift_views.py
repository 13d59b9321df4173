""" "Add to calendar" for one shift: an .ics download and the Google / Outlook links.

The .ics is the same one-event calendar the claim confirmation attaches (same UID, so adding it
twice or later subscribing to the feed updates the event instead of doubling it). It is sent as
``text/calendar`` with ``Content-Disposition: attachment``: Android's browsers hand a download of
that type to the calendar app, and iOS Safari opens it in its "Add to Calendar" sheet. Its times
carry the courthouse's TZID with a VTIMEZONE, so any app shows the right instant.

Who may have it: anyone who may see the shift's page (approved people); it holds nothing the
page does not show to them, and never the accompanied person's details.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from courtwatch.errors import NotFound
from courtwatch.feeds import shift_links
from courtwatch.feeds.builders import single_shift_calendar
from courtwatch.shifts import services as shift_services

bp = Blueprint("shift_calendar", __name__)


def _shift_or_404(shift_id: int):
    try:
        return shift_services.get_shift(shift_id)
    except NotFound:
        abort(404)


@bp.route("/shifts/<int:shift_id>/calendar.ics")
def ics(shift_id: int):
    shift = _shift_or_404(shift_id)
    response = Response(single_shift_calendar(shift), content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="courtwatch-shift-{shift.id}.ics"'
    return response


@bp.route("/shifts/<int:shift_id>/add-to-calendar")
def page(shift_id: int):
    shift = _shift_or_404(shift_id)
    return render_template(
        "feeds/shift_calendar.html",
        shift=shift,
        google_url=shift_links.google_calendar_url(shift),
        outlook_url=shift_links.outlook_calendar_url(shift),
    )
