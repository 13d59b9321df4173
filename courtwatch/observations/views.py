"""The volunteer's side of reports: file one, read it back, amend it, see the photos.

The coordinators' pages are in ``review_views`` (same blueprint); it imports from here, never
the other way round. Every read goes through ``services.get_visible_observation``: anyone but the reporter and
staff gets a 404 (never a 403), so trying ids reveals nothing about which reports exist.

The form works as a plain HTML form. ``static/observations.js`` adds the draft kept on the
phone and sends with ``fetch`` (header ``X-Requested-With: fetch``); such a request is answered
with JSON on success so the script can clear the draft only once the server has the report.
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.courts.models import Courthouse
from courtwatch.courts.services import list_courthouses
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import attach_error
from courtwatch.observations import models as labels
from courtwatch.observations import photos, services, verification
from courtwatch.observations.forms import LinkForm, ObservationForm, VerifyForm
from courtwatch.observations.models import ObservationPhoto
from courtwatch.shifts.models import Shift

bp = Blueprint("observations", __name__)


def _visible_or_404(observation_id: int):
    try:
        return services.get_visible_observation(current_user, observation_id)
    except NotFound:
        abort(404)


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _courthouse_choices(form: ObservationForm) -> None:
    # Each option carries its zone, so the page can show "now" in the chosen courthouse's time.
    form.courthouse_id.choices = [("", "—", {})] + [
        (c.id, c.name, {"data-timezone": c.timezone}) for c in list_courthouses(active_only=True)
    ]


def _shift_from_query():
    """The shift named by ?shift=, if it exists."""
    shift_id = request.args.get("shift", type=int)  # bounded: see web.BoundedArgs
    return db.session.get(Shift, shift_id) if shift_id is not None else None


def _prefill(form: ObservationForm) -> None:
    """Courthouse, date and time from the shift or courthouse the form was opened from.

    The time is the courthouse's local time. With no courthouse chosen yet, it is the time
    where every courthouse is when they share one zone; otherwise it is left for the page's
    script to fill with the phone's own time (the server's clock zone means nothing to anyone).
    """
    shift = _shift_from_query()
    courthouse = None
    if shift is not None:
        courthouse = shift.courthouse
        form.shift_id.data = str(shift.id)
    elif request.args.get("courthouse", type=int) is not None:
        courthouse = db.session.get(Courthouse, request.args.get("courthouse", type=int))
    now = utcnow()
    moment = now
    if shift is not None and not shift.starts_at <= now <= shift.ends_at:
        moment = shift.starts_at
    if courthouse is not None and courthouse.active:
        form.courthouse_id.data = courthouse.id
        if courthouse.court_type_list and len(courthouse.court_type_list) == 1:
            form.court_type.data = courthouse.court_type_list[0]
        local = courthouse.local(moment)
    else:
        zones = {c.timezone for c in list_courthouses(active_only=True)}
        local = moment.astimezone(ZoneInfo(zones.pop())) if len(zones) == 1 else None
    if local is not None:
        form.observed_date.data = local.date()
        form.observed_time.data = local.time().replace(second=0, microsecond=0)
    form.idempotency_key.data = uuid.uuid4().hex


def _attach_all(form, error: DomainError) -> None:
    for item in getattr(error, "errors", [error]):
        if item.field == "observed_time" and not form.observed_date.data:
            item.field = "observed_date"
        attach_error(form, item)


def _render_form(form, mode: str, observation=None, status: int = 200, nothing_question: str | None = None):
    config = current_app.config
    return render_template(
        "observations/form.html",
        form=form,
        mode=mode,
        observation=observation,
        nothing_question=nothing_question,
        labels=labels,
        max_photos=int(config["PHOTO_MAX_COUNT"]),
        max_photo_mb=int(config["PHOTO_MAX_BYTES"]) // (1024 * 1024),
        submitted=request.method == "POST",
    ), status


def _say_received(created: bool) -> None:
    # Sent from the phone's queue in the background: no page is waiting for the message.
    if request.headers.get("X-Courtwatch-Background") == "1":
        return
    if created:
        flash(_("Report received. Thank you."), "info")
    else:
        flash(_("This report had already arrived; it was not sent twice."), "info")


@bp.route("/observations/new", methods=["GET", "POST"])
def new():
    form = ObservationForm()
    _courthouse_choices(form)
    if request.method == "GET":
        _prefill(form)
        return _render_form(form, "new")
    reporter = request.headers.get("X-Courtwatch-Reporter")
    if reporter and reporter != str(current_user.id):
        # Queued on this phone by someone else whose session ended: it waits for them.
        return jsonify(ok=False, reason="another-account"), 409
    if form.validate_on_submit():
        try:
            observation, created = services.submit_observation(
                current_user,
                form.values(),
                form.idempotency_key.data,
                uploads=request.files.getlist("photos"),
                nothing_confirmed=request.form.get("nothing_observed") == "confirm",
            )
        except services.IdempotencyConflict as conflict:
            return render_template(
                "observations/conflict.html", observation=conflict.observation, message=conflict.message
            ), 409
        except services.NothingObservedConflict as question:
            # Nothing is lost: the form comes back as typed, with the question above it.
            return _render_form(form, "new", status=422, nothing_question=question.message)
        except DomainError as error:
            _attach_all(form, error)
        else:
            url = url_for("observations.detail", observation_id=observation.id)
            _say_received(created)
            if _wants_json():
                return jsonify(
                    id=observation.id, url=url, created=created, key=observation.idempotency_key
                ), 201 if created else 200
            return redirect(url)
    return _render_form(form, "new", status=422)


# ---------------------------------------------------------------- what staff see besides the report
def link_form(courthouse_id: int | None = None) -> LinkForm:
    form = LinkForm()
    form.incident_id.choices = [("", _("A new incident"))] + [
        (
            i.id,
            f"#{i.id} · {i.courthouse.short_name or i.courthouse.name} · "
            f"{i.courthouse.local(i.occurred_at):%Y-%m-%d %H:%M}",
        )
        for i in verification.recent_incidents(courthouse_id)
    ]
    return form


def staff_detail_context(observation) -> dict:
    """What a coordinator sees on a report's page besides the report itself."""
    verify_form = VerifyForm(status=observation.status)
    return {
        "verify_form": verify_form,
        "history": verification.status_history(observation),
        "link_form": link_form(observation.courthouse_id),
    }


@bp.route("/observations/<int:observation_id>")
def detail(observation_id: int):
    observation = _visible_or_404(observation_id)
    context = {}
    if current_user.is_staff:
        context = staff_detail_context(observation)
    return render_template(
        "observations/detail.html",
        observation=observation,
        labels=labels,
        can_amend=services.can_amend(current_user, observation),
        amend_deadline=services.amend_deadline(observation),
        **context,
    )


@bp.route("/observations/<int:observation_id>/amend", methods=["GET", "POST"])
def amend(observation_id: int):
    observation = _visible_or_404(observation_id)
    if observation.reporter_id != current_user.id:
        return redirect(url_for("observations.edit", observation_id=observation.id))
    if not services.can_amend(current_user, observation):
        flash(_("The time to amend this report has passed. Ask a coordinator to correct it."), "error")
        return redirect(url_for("observations.detail", observation_id=observation.id))
    return edit_form(observation, "amend")


def edit_form(observation, mode: str):
    """The amend (reporter) and edit (coordinator) pages: same form, same service."""
    form = ObservationForm(obj=observation)
    _courthouse_choices(form)
    if request.method == "GET":
        local = observation.courthouse.local(observation.observed_at)
        form.observed_date.data = local.date()
        form.observed_time.data = local.time().replace(second=0, microsecond=0)
        form.agencies.data = observation.agency_list
        return _render_form(form, mode, observation)
    if form.validate_on_submit():
        try:
            changes = services.update_observation(
                current_user, observation, form.values(), uploads=request.files.getlist("photos")
            )
        except DomainError as error:
            _attach_all(form, error)
        else:
            flash(_("Report updated.") if changes else _("Nothing was changed."), "info")
            return redirect(url_for("observations.detail", observation_id=observation.id))
    return _render_form(form, mode, observation, status=422)


@bp.route("/me/observations")
def mine():
    page = request.args.get("page", 1, type=int)
    pagination = services.list_my_observations(current_user, page=max(page, 1))
    return render_template("observations/mine.html", pagination=pagination, labels=labels)


@bp.route("/observations/<int:observation_id>/photos/<int:photo_id>")
def photo(observation_id: int, photo_id: int):
    observation = _visible_or_404(observation_id)
    row = db.session.get(ObservationPhoto, photo_id)
    if row is None or row.observation_id != observation.id:
        abort(404)
    blob = photos.photo_blob(row)
    if blob is None:
        abort(404)
    extension = ".png" if row.content_type == "image/png" else ".jpg"
    # Streamed chunk by chunk from the blob store (its own connection), never whole in memory.
    response = Response(photos.blob_store().iter_chunks(blob), mimetype=row.content_type, direct_passthrough=True)
    response.content_length = blob.size
    response.headers["Content-Disposition"] = f"inline; filename=report-{observation.id}-photo-{row.id}{extension}"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
