"""Coordinators follow a case across its hearings: its timeline, and the next hearings found for
people who were accompanied, where they decide whether the need carries over.

Cases are named by id only: no page, URL or title shows a case number. The timeline shows dates,
courthouses, outcomes and who went (first names); the accompanied person's details stay on each
hearing's own page, where opening them is recorded.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch import signals
from courtwatch.auth.access import coordinator_required
from courtwatch.courts import case_services
from courtwatch.courts.case_models import ContinuanceStatus
from courtwatch.courts.hearing_services import hearing_is_past
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import ActionForm
from courtwatch.web import mark_for_rollback, safe_next

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.route("")
@coordinator_required
def index():
    return render_template(
        "cases/index.html", waiting=case_services.waiting_continuances(), limit=case_services.WAITING_LIMIT
    )


def _staffing(hearing_ids: list[int]) -> dict[int, list]:
    merged: dict[int, list] = {}
    for contribution in signals.collect(signals.hearing_staffing, hearing_ids=hearing_ids):
        for hearing_id, rows in contribution.items():
            merged.setdefault(hearing_id, []).extend(rows)
    return merged


@bp.route("/<int:case_id>")
@coordinator_required
def timeline(case_id: int):
    try:
        case = case_services.get_case(case_id)
    except NotFound:
        abort(404)
    hearings = case_services.case_hearings(case.id)
    continuances = case_services.case_continuances(case.id)
    return render_template(
        "cases/timeline.html",
        case=case,
        hearings=hearings,
        staffing=_staffing([hearing.id for hearing in hearings]),
        found_for={c.to_hearing_id: c for c in continuances},
        is_past=hearing_is_past,
        status_labels=ContinuanceStatus.labels(),
        limit=case_services.TIMELINE_LIMIT,
    )


def _decide(continuance_id: int, decide, message: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        continuance = decide(current_user, continuance_id)
    except NotFound:
        abort(404)
    except DomainError as error:
        mark_for_rollback()
        flash(error.message, "error")
    else:
        flash(message, "info")
        fallback = url_for("hearings.detail", hearing_id=continuance.to_hearing_id)
        return redirect(safe_next(request.form.get("next"), fallback))
    return redirect(safe_next(request.form.get("next"), url_for("cases.index")))


@bp.route("/next/<int:continuance_id>/carry", methods=["POST"])
@coordinator_required
def carry(continuance_id: int):
    return _decide(
        continuance_id,
        case_services.carry_need,
        _("The need carried to the next hearing. Last time's volunteers are asked first."),
    )


@bp.route("/next/<int:continuance_id>/dismiss", methods=["POST"])
@coordinator_required
def dismiss(continuance_id: int):
    return _decide(continuance_id, case_services.dismiss_continuance, _("Noted: nothing carried."))
