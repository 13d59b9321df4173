"""The coordinators' side of reports: the review queue, verification, edits, and incidents.

Routes live on the ``observations`` blueprint (declared in views.py) so the URLs the issue
names stay together; this module only keeps the staff pages out of the volunteer's file.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.auth.access import coordinator_required
from courtwatch.courts.services import list_courthouses
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import attach_error
from courtwatch.observations import models as labels
from courtwatch.observations import services, verification
from courtwatch.observations.forms import VerifyForm
from courtwatch.observations.views import _visible_or_404, bp, edit_form, link_form, staff_detail_context
from courtwatch.web import safe_next


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)  # bounded: see web.BoundedArgs
    return value if value is not None and value >= 0 else None


@bp.route("/coordinator/observations")
@coordinator_required
def review():
    filters = verification.ReviewFilters(
        courthouse_id=_int_arg("courthouse"),
        action=request.args.get("action") or None,
        status=request.args.get("status") or None,
        incident_id=_int_arg("incident"),
    )
    page = max(request.args.get("page", 1, type=int), 1)
    pagination = verification.review_page(filters, page=page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "observations/review.html",
        pagination=pagination,
        filters=filters,
        args=args,
        courthouses=list_courthouses(active_only=False),
        labels=labels,
        link_form=link_form(filters.courthouse_id),
    )


@bp.route("/observations/<int:observation_id>/verify", methods=["POST"])
@coordinator_required
def verify(observation_id: int):
    observation = _visible_or_404(observation_id)
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            verification.verify_observation(current_user, observation, form.status.data or "", form.note.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Status saved: %(status)s.", status=labels.OBSERVATION_STATUS_LABELS[observation.status]), "info")
            return redirect(url_for("observations.detail", observation_id=observation.id))
    context = staff_detail_context(observation)
    context["verify_form"] = form
    return render_template(
        "observations/detail.html",
        observation=observation,
        labels=labels,
        can_amend=False,
        amend_deadline=services.amend_deadline(observation),
        **context,
    ), 422


@bp.route("/observations/<int:observation_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(observation_id: int):
    return edit_form(_visible_or_404(observation_id), "edit")


@bp.route("/coordinator/observations/link", methods=["POST"])
@coordinator_required
def link():
    form = link_form()
    ids = [int(i) for i in request.form.getlist("observation_ids") if i.isdigit()]
    back = safe_next(request.form.get("back"), url_for("observations.review"))
    if form.validate_on_submit():
        try:
            incident = verification.link_observations(current_user, ids, form.incident_id.data, form.summary.data or "")
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(back)
        flash(_("Linked into incident #%(id)d.", id=incident.id), "info")
        return redirect(url_for("observations.incident", incident_id=incident.id))
    abort(400)


@bp.route("/observations/<int:observation_id>/unlink", methods=["POST"])
@coordinator_required
def unlink(observation_id: int):
    observation = _visible_or_404(observation_id)
    verification.unlink_observation(current_user, observation)
    flash(_("Report taken out of the incident."), "info")
    return redirect(url_for("observations.detail", observation_id=observation.id))


@bp.route("/coordinator/incidents/<int:incident_id>")
@coordinator_required
def incident(incident_id: int):
    try:
        incident_row = verification.get_incident(incident_id)
    except NotFound:
        abort(404)
    return render_template(
        "observations/incident.html",
        incident=incident_row,
        labels=labels,
        action=verification.incident_action(incident_row),
    )
