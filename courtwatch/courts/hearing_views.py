"""Coordinators browse hearings per courthouse and day, mark those needing accompaniment, and keep
the accompaniment request (the most sensitive record here) on the hearing's own page only.

Lists show a "needs accompaniment" badge, never who asked: the request is read only on the
detail page, which, like every page of this blueprint, is for coordinators.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from courtwatch.auth.access import coordinator_required
from courtwatch.courts import hearing_services as services
from courtwatch.courts.case_services import hearing_case
from courtwatch.courts.models import Courthouse
from courtwatch.courts.services import list_courthouses
from courtwatch.db import utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import ActionForm, CourtwatchForm, attach_error

bp = Blueprint("hearings", __name__, url_prefix="/hearings")


class AccompanimentRequestForm(CourtwatchForm):
    person_label = StringField(_l("First name or initials (nothing more)"), validators=[DataRequired(), Length(max=60)])
    language = StringField(_l("Language"), validators=[Optional(), Length(max=60)])
    interpreter_booked = BooleanField(_l("An interpreter is booked"))
    meeting_notes = TextAreaField(
        _l("Meeting notes (shown to the volunteers assigned)"), validators=[Optional(), Length(max=2000)]
    )
    private_notes = TextAreaField(_l("Private notes (coordinators only)"), validators=[Optional(), Length(max=4000)])
    contact = StringField(_l("Contact (coordinators only)"), validators=[Optional(), Length(max=200)])


def _hearing_or_404(hearing_id: int):
    try:
        return services.get_hearing(hearing_id)
    except NotFound:
        abort(404)


def _chosen_courthouse_and_day(courthouses: list[Courthouse]) -> tuple[Courthouse | None, date]:
    """What the coordinator asked for; otherwise where and when the next scheduled hearing is."""
    wanted = request.args.get("courthouse", type=int)
    courthouse = next((c for c in courthouses if c.id == wanted), None)
    upcoming = services.next_scheduled_hearing(courthouse.id if courthouse else None)
    if courthouse is None:
        courthouse = next(
            (c for c in courthouses if upcoming and c.id == upcoming.courthouse_id),
            courthouses[0] if courthouses else None,
        )
    try:
        return courthouse, date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        pass
    if courthouse is None:
        return None, utcnow().date()
    if upcoming is not None and upcoming.courthouse_id == courthouse.id:
        return courthouse, courthouse.local(upcoming.starts_at).date()
    return courthouse, courthouse.local(utcnow()).date()


@bp.route("")
@coordinator_required
def index():
    courthouses = list_courthouses(active_only=True)
    courthouse, day = _chosen_courthouse_and_day(courthouses)
    hearings = services.hearings_on_day(courthouse, day) if courthouse else []
    return render_template(
        "hearings/index.html",
        courthouses=courthouses,
        courthouse=courthouse,
        day=day,
        hearings=hearings,
        previous_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        limit=services.DAY_LIMIT,
    )


def _render_detail(hearing, time_error: str | None = None, status: int = 200):
    request_row = hearing.accompaniment_request
    if request_row is not None:
        services.record_details_opened(current_user, hearing)
    return render_template(
        "hearings/detail.html",
        hearing=hearing,
        history=services.hearing_history(hearing),
        request_row=request_row,
        action_form=ActionForm(),
        openings=services.details_openings(hearing) if request_row else [],
        purge_after=services.accompaniment_purge_after(hearing),
        is_past=services.hearing_is_past(hearing),
        time_error=time_error,
        case=hearing_case(hearing),
    ), status


@bp.route("/<int:hearing_id>")
@coordinator_required
def detail(hearing_id: int):
    return _render_detail(_hearing_or_404(hearing_id))


@bp.route("/<int:hearing_id>/time", methods=["POST"])
@coordinator_required
def set_time(hearing_id: int):
    hearing = _hearing_or_404(hearing_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        chosen = time.fromisoformat((request.form.get("time") or "").strip())
    except ValueError:
        return _render_detail(hearing, _("Enter a time such as 09:30."), 422)
    services.set_hearing_time(current_user, hearing, chosen.replace(second=0, microsecond=0, tzinfo=None))
    flash(_("Time set."), "info")
    return redirect(url_for("hearings.detail", hearing_id=hearing.id))


@bp.route("/<int:hearing_id>/accompaniment", methods=["POST"])
@coordinator_required
def set_needed(hearing_id: int):
    hearing = _hearing_or_404(hearing_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    needed = request.form.get("needed") == "1"
    try:
        services.set_accompaniment_needed(current_user, hearing, needed)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("hearings.detail", hearing_id=hearing.id))
    flash(_("Marked as needing accompaniment.") if needed else _("Accompaniment no longer needed."), "info")
    return redirect(url_for("hearings.detail", hearing_id=hearing.id))


@bp.route("/<int:hearing_id>/request", methods=["GET", "POST"])
@coordinator_required
def edit_request(hearing_id: int):
    hearing = _hearing_or_404(hearing_id)
    request_row = hearing.accompaniment_request
    form = AccompanimentRequestForm(obj=request_row)
    if request_row is not None and request.method == "GET":
        services.record_details_opened(current_user, hearing, editing=True)
    if form.validate_on_submit():
        try:
            services.save_accompaniment_request(
                current_user,
                hearing,
                person_label=form.person_label.data,
                language=form.language.data,
                interpreter_booked=form.interpreter_booked.data,
                meeting_notes=form.meeting_notes.data,
                private_notes=form.private_notes.data,
                contact=form.contact.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Accompaniment request saved."), "info")
            return redirect(url_for("hearings.detail", hearing_id=hearing.id))
    return render_template(
        "hearings/request_form.html", hearing=hearing, form=form, existing=request_row is not None
    ), 422 if form.is_submitted() else 200


@bp.route("/<int:hearing_id>/request/delete", methods=["POST"])
@coordinator_required
def delete_request(hearing_id: int):
    hearing = _hearing_or_404(hearing_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.delete_accompaniment_request(current_user, hearing)
    flash(_("Accompaniment request deleted."), "info")
    return redirect(url_for("hearings.detail", hearing_id=hearing.id))
