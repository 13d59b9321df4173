"""Coordinator pages: the gap view, a shift's roster (assign, unassign, no-shows), creating and
editing shifts, and the weekly patterns that generate observation shifts.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.auth.access import coordinator_required
from courtwatch.auth.services import get_user
from courtwatch.courts.services import get_courthouse, list_courthouses
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import attach_error
from courtwatch.shifts import accompaniment, claims, confirmations, patterns, recurrence, services, staffing
from courtwatch.shifts.forms import PatternForm, ShiftForm
from courtwatch.web import safe_next

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")


@bp.before_request
@coordinator_required
def _staff_only():
    return None


def _shift_or_404(shift_id: int):
    try:
        return services.get_shift(shift_id)
    except NotFound:
        abort(404)


@bp.route("/gaps")
@coordinator_required
def gaps():
    days = request.args.get("days", type=int) or 14
    days = min(max(days, 1), 60)
    courthouse_id = request.args.get("courthouse", type=int)
    shifts = staffing.list_gaps(days=days, courthouse_id=courthouse_id)
    unconfirmed = confirmations.unconfirmed_shifts(courthouse_id=courthouse_id)
    return render_template(
        "coordinator/gaps.html",
        shifts=shifts,
        unconfirmed=unconfirmed,
        unconfirmed_ids={entry.shift.id: entry.people for entry in unconfirmed},
        days=days,
        courthouses=list_courthouses(active_only=True),
        courthouse_id=courthouse_id,
    )


@bp.route("/shifts/<int:shift_id>")
@coordinator_required
def roster(shift_id: int):
    shift = _shift_or_404(shift_id)
    query = request.args.get("q", "").strip()[:100]
    candidates = staffing.assignable_volunteers(shift, query) if query else []
    return render_template(
        "coordinator/roster.html", shift=shift, signups=staffing.roster(shift), query=query, candidates=candidates
    )


def _back_to_roster(shift_id: int):
    return redirect(url_for("coordinator.roster", shift_id=shift_id))


def _roster_error(shift_id: int, error: DomainError):
    shift = _shift_or_404(shift_id)
    return render_template(
        "coordinator/roster.html", shift=shift, signups=staffing.roster(shift), query="", candidates=[], error=error
    ), 409


@bp.route("/shifts/<int:shift_id>/assign", methods=["POST"])
@coordinator_required
def assign(shift_id: int):
    try:
        volunteer = get_user(request.form.get("user_id", type=int) or 0)
        claims.assign_volunteer(current_user, shift_id, volunteer)
    except DomainError as error:
        return _roster_error(shift_id, error)
    flash(_("%(name)s is on the shift and has been told.", name=volunteer.name), "info")
    return _back_to_roster(shift_id)


@bp.route("/signups/<int:signup_id>/unassign", methods=["POST"])
@coordinator_required
def unassign(signup_id: int):
    try:
        signup = claims.unassign_volunteer(current_user, signup_id)
    except NotFound:
        abort(404)
    flash(_("Taken off the shift; the waitlist moved up."), "info")
    return _back_to_roster(signup.shift_id)


@bp.route("/signups/<int:signup_id>/no-show", methods=["POST"])
@coordinator_required
def no_show(signup_id: int):
    try:
        signup = claims.set_no_show(current_user, signup_id, request.form.get("value") == "1")
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(request.referrer or url_for("coordinator.gaps")), 303
    return _back_to_roster(signup.shift_id)


# ---------------------------------------------------------------- accompaniment need-to-know
@bp.route("/signups/<int:signup_id>/confirm", methods=["POST"])
@coordinator_required
def confirm_pairing(signup_id: int):
    try:
        signup = accompaniment.confirm_pairing(current_user, signup_id, request.form.get("value") != "0")
    except NotFound:
        abort(404)
    flash(
        _("Confirmed: the details open to this volunteer close to the hearing.")
        if signup.details_confirmed_at
        else _("Confirmation withdrawn."),
        "info",
    )
    return _back_to_roster(signup.shift_id)


@bp.route("/shifts/<int:shift_id>/training-waiver", methods=["POST"])
@coordinator_required
def training_waiver(shift_id: int):
    shift = _shift_or_404(shift_id)
    try:
        accompaniment.set_training_waived(current_user, shift, request.form.get("value") == "1")
    except DomainError as error:
        return _roster_error(shift_id, error)
    flash(
        _("Training requirement waived for this shift.")
        if shift.training_waived
        else _("This shift requires the accompaniment training again."),
        "info",
    )
    return _back_to_roster(shift_id)


def _volunteer_or_404(user_id: int):
    try:
        return get_user(user_id)
    except NotFound:
        abort(404)


@bp.route("/volunteers/<int:user_id>/trusted", methods=["POST"])
@coordinator_required
def set_trusted(user_id: int):
    volunteer = _volunteer_or_404(user_id)
    accompaniment.set_details_trusted(current_user, volunteer, request.form.get("value") == "1")
    flash(
        _("%(name)s sees accompanied people's details without a confirmation per shift.", name=volunteer.name)
        if volunteer.details_trusted
        else _("%(name)s needs a confirmation per shift again.", name=volunteer.name),
        "info",
    )
    return redirect(safe_next(request.form.get("next"), url_for("coordinator.paused")))


@bp.route("/volunteers/<int:user_id>/clear-pause", methods=["POST"])
@coordinator_required
def clear_pause(user_id: int):
    volunteer = _volunteer_or_404(user_id)
    accompaniment.clear_pause(current_user, volunteer)
    flash(_("%(name)s can see accompanied people's details again.", name=volunteer.name), "info")
    return redirect(safe_next(request.form.get("next"), url_for("coordinator.paused")))


@bp.route("/volunteers/paused")
@coordinator_required
def paused():
    return render_template("coordinator/paused.html", volunteers=accompaniment.paused_volunteers())


def _render_shift_form(form, shift=None, status=200):
    return render_template("coordinator/shift_form.html", form=form, shift=shift), status


@bp.route("/shifts/new", methods=["GET", "POST"])
@coordinator_required
def create_shift():
    form = ShiftForm()
    if request.method == "GET" and request.args.get("courthouse", type=int):
        form.courthouse_id.data = request.args.get("courthouse", type=int)
    if form.validate_on_submit():
        try:
            courthouse = get_courthouse(form.courthouse_id.data)
            starts_at, ends_at = form.times(courthouse.zone)
            shift = services.create_shift(
                current_user,
                courthouse=courthouse,
                kind=form.kind.data,
                starts_at=starts_at,
                ends_at=ends_at,
                **form.details(),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Shift created."), "info")
            return redirect(url_for("coordinator.roster", shift_id=shift.id))
    return _render_shift_form(form, status=422 if form.is_submitted() else 200)


@bp.route("/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_shift(shift_id: int):
    shift = _shift_or_404(shift_id)
    local_start, local_end = shift.courthouse.local(shift.starts_at), shift.courthouse.local(shift.ends_at)
    form = ShiftForm(obj=shift, day=local_start.date(), start=local_start.time(), end=local_end.time())
    form.courthouse_id.render_kw = form.kind.render_kw = {"disabled": True}
    if request.method == "POST":
        form.courthouse_id.data, form.kind.data = shift.courthouse_id, shift.kind
    if form.validate_on_submit():
        try:
            starts_at, ends_at = form.times(shift.courthouse.zone)
            services.update_shift(current_user, shift, starts_at=starts_at, ends_at=ends_at, **form.details())
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Shift saved. The volunteers on it were told about any change of time or place."), "info")
            return _back_to_roster(shift.id)
    return _render_shift_form(form, shift, status=422 if form.is_submitted() else 200)


@bp.route("/shifts/<int:shift_id>/cancel", methods=["POST"])
@coordinator_required
def cancel_shift(shift_id: int):
    shift = _shift_or_404(shift_id)
    services.cancel_shift(current_user, shift, request.form.get("reason", "")[:300])
    flash(_("Shift cancelled; its volunteers were told."), "info")
    return _back_to_roster(shift_id)


# ---------------------------------------------------------------- patterns
@bp.route("/patterns")
@coordinator_required
def pattern_list():
    return render_template("coordinator/patterns.html", patterns=patterns.list_patterns(), describe=recurrence.describe)


@bp.route("/patterns/new", methods=["GET", "POST"])
@bp.route("/patterns/<int:pattern_id>/edit", methods=["GET", "POST"])
@coordinator_required
def pattern_form(pattern_id: int | None = None):
    try:
        pattern = patterns.get_pattern(pattern_id) if pattern_id else None
    except NotFound:
        abort(404)
    form = PatternForm(
        obj=pattern,
        weekdays=list(pattern.weekdays) if pattern else ["1", "2", "3", "4", "5"],
        month_weeks=[w for w in pattern.month_weeks.split(",") if w] if pattern else [],
    )
    if form.validate_on_submit():
        try:
            courthouse = get_courthouse(form.courthouse_id.data)
            pattern = patterns.save_pattern(current_user, pattern, courthouse=courthouse, **form.values())
            created = patterns.generate_shifts(pattern_ids=[pattern.id]) if pattern.active else 0
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Pattern saved; %(n)s new shifts generated.", n=created), "info")
            return redirect(url_for("coordinator.pattern_list"))
    return render_template(
        "coordinator/pattern_form.html", form=form, pattern=pattern
    ), 422 if form.is_submitted() else 200


@bp.route("/patterns/generate", methods=["POST"])
@coordinator_required
def generate():
    created = patterns.generate_shifts()
    flash(_("%(n)s new shifts generated.", n=created), "info")
    return redirect(url_for("coordinator.pattern_list"))
