"""Volunteer pages: shifts I can take, one shift, my shifts; claim/release/check-in POSTs.

Every action is a plain POST form with CSRF that works without JavaScript (redirect after
success, the page re-shown with the message and status 409 on refusal, which also rolls the
transaction back). ``static/shifts.js`` sends the same forms with fetch and the header
``X-Requested-With: fetch``; it then gets JSON with the message and the re-rendered card to swap
in, so nothing reloads.
"""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.auth import services as auth_services
from courtwatch.db import utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.home.offline import never_store
from courtwatch.home.templating import day_heading
from courtwatch.shifts import accompaniment, claims, confirmations, services
from courtwatch.shifts.forms import ShiftFilterForm
from courtwatch.shifts.models import SignupStatus
from courtwatch.shifts.page_kit import ShiftPageKit
from courtwatch.web import safe_next

bp = Blueprint("shifts", __name__)


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _trained_ids(shifts) -> set[int]:
    """The volunteer's trainings, looked up only when one of these shifts asks for a training:
    the cards consult them for nothing else."""
    if not any(shift.training_id for shift in shifts):
        return set()
    return auth_services.completed_training_ids(current_user)


def _card_context(shift) -> dict:
    signup = claims.live_signup(shift.id, current_user.id)
    return {
        "shift": shift,
        "signup": signup,
        "trained": _trained_ids([shift]),
        "my_languages": set(current_user.language_codes),
        "kit": ShiftPageKit(),
    }


@bp.route("/shifts")
def index():
    form = ShiftFilterForm(request.args)
    form.validate()
    filters = services.ShiftFilters(
        courthouse_id=form.courthouse.data if not form.courthouse.errors else None,
        day=form.day.data if not form.day.errors else None,
        kind=form.kind.data or None if not form.kind.errors else None,
        my_language=bool(form.language.data),
        after_id=request.args.get("after", type=int),
    )
    shifts, more = services.list_offered_shifts(current_user, filters)
    mine = services.my_signups_by_shift(current_user, [s.id for s in shifts])
    languages = set(current_user.language_codes)
    days = []
    for day, group in groupby(shifts, key=lambda s: s.courthouse.local(s.starts_at).date()):
        # Within a day, shifts asking for a language I speak come first.
        items = sorted(group, key=lambda s: (not (s.language and s.language in languages), s.starts_at))
        days.append((day_heading(day), items))
    later = None
    if more and shifts:
        args = {k: v for k, v in request.args.items() if k != "after"}
        later = url_for("shifts.index", **args, after=max(shifts, key=lambda s: (s.starts_at, s.id)).id)
    return render_template(
        "shifts/index.html",
        form=form,
        days=days,
        mine=mine,
        later=later,
        trained=_trained_ids(shifts),
        my_languages=languages,
        kit=ShiftPageKit(),
    )


def _shift_or_404(shift_id: int):
    try:
        return services.get_shift(shift_id)
    except NotFound:
        abort(404)


def _render_detail(shift, error: DomainError | None = None, status: int = 200):
    context = _card_context(shift)
    now = utcnow()
    attendance_open = shift.starts_at - claims.CHECK_IN_EARLY <= now <= shift.ends_at + claims.CHECK_IN_LATE
    # Only the volunteers who go, confirmed, trained, close to the hearing (see accompaniment).
    disclosure, request_details = accompaniment.open_details(current_user, shift, context["signup"], now)
    if request_details is not None:
        never_store()  # the accompanied person's details never reach the phone's storage
    signup = context["signup"]
    ask_open = (
        signup is not None
        and signup.status == SignupStatus.CLAIMED
        and not shift.is_cancelled
        and (signup.attendance_confirmed_at is not None or confirmations.ask_time(shift) <= now < shift.starts_at)
    )
    return render_template(
        "shifts/detail.html",
        error=error,
        ask_open=ask_open,
        attendance_open=attendance_open,
        request_details=request_details,
        disclosure=disclosure,
        offer_waitlist=isinstance(error, claims.ShiftFull),
        offer_ask=isinstance(error, claims.ReleaseTooLate),
        **context,
    ), status


@bp.route("/shifts/<int:shift_id>")
def detail(shift_id: int):
    return _render_detail(_shift_or_404(shift_id))


def _respond(shift_id: int, action):
    """Run a roster action (it returns the success message) and answer as the client asked:
    a redirect, the page re-shown with the refusal, or JSON for shifts.js."""
    shift = _shift_or_404(shift_id)
    try:
        message = action(shift)
    except DomainError as error:
        offers = {
            "offer_waitlist": isinstance(error, claims.ShiftFull),
            "offer_ask": isinstance(error, claims.ReleaseTooLate),
        }
        if _wants_json():
            html = render_template("shifts/_card.html", **_card_context(shift), **offers)
            return jsonify({"ok": False, "message": error.message, "html": html, **offers}), 409
        return _render_detail(shift, error, 409)
    if _wants_json():
        return jsonify(
            {"ok": True, "message": message, "html": render_template("shifts/_card.html", **_card_context(shift))}
        )
    flash(message, "info")
    return redirect(safe_next(request.form.get("next"), url_for("shifts.detail", shift_id=shift_id)))


@bp.route("/shifts/<int:shift_id>/claim", methods=["POST"])
def claim(shift_id: int):
    waitlist = request.form.get("waitlist") == "1"

    def act(shift):
        signup = claims.claim_shift(current_user, shift.id, waitlist=waitlist)
        if signup.status == SignupStatus.WAITLISTED:
            return _("You are on the waitlist. We will email you if a place frees up.")
        return _("Shift claimed. A confirmation with a calendar file is on its way.")

    return _respond(shift_id, act)


def _simple(service, message):
    def act(shift):
        service(current_user, shift.id)
        return message

    return act


@bp.route("/shifts/<int:shift_id>/release", methods=["POST"])
def release(shift_id: int):
    return _respond(
        shift_id, _simple(claims.release_shift, _("You released this shift. Thank you for telling us in time."))
    )


@bp.route("/shifts/<int:shift_id>/ask-release", methods=["POST"])
def ask_release(shift_id: int):
    return _respond(
        shift_id,
        _simple(
            claims.ask_coordinator_to_release,
            _("We told the coordinators. You stay on the shift until one of them takes you off."),
        ),
    )


@bp.route("/shifts/<int:shift_id>/confirm", methods=["POST"])
def confirm(shift_id: int):
    return _respond(
        shift_id, _simple(confirmations.confirm_attendance, _("Thank you. We have noted that you are coming."))
    )


@bp.route("/shifts/<int:shift_id>/check-in", methods=["POST"])
def check_in(shift_id: int):
    return _respond(shift_id, _simple(claims.check_in, _("Checked in. Thank you for being there.")))


@bp.route("/shifts/<int:shift_id>/check-out", methods=["POST"])
def check_out(shift_id: int):
    return _respond(shift_id, _simple(claims.check_out, _("Checked out. Your hours are recorded.")))


@bp.route("/me/shifts")
def my_shifts():
    upcoming = services.list_my_signups(current_user, past=False)
    past = services.list_my_signups(current_user, past=True, limit=50)
    return render_template(
        "shifts/mine.html", upcoming=upcoming, past=past, hours=services.hours_served(current_user), kit=ShiftPageKit()
    )
