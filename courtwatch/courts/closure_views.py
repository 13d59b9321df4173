"""Closure pages (coordinators): the days to come, a day typed in, a holiday calendar uploaded.

Nothing is saved from a form directly: each goes to a preview that lists the days and the
shifts they would cancel, and only its "Confirm" saves. The preview carries the days in hidden
fields, checked again on confirm, so nothing waits on the server between the two steps and a
second click on "Confirm" finds the days closed already and does nothing more.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from courtwatch.auth.access import coordinator_required
from courtwatch.courts import closures
from courtwatch.courts.closure_forms import ClosureForm, HolidayCalendarForm
from courtwatch.courts.closure_models import ClosureSource
from courtwatch.courts.holiday_calendar import MAX_BYTES, read_holidays, summary_lines
from courtwatch.db import utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import ActionForm, attach_error

bp = Blueprint("closures", __name__, url_prefix="/closures")


@bp.before_request
@coordinator_required
def _staff_only():
    return None


def _index(form=None, status=200):
    upcoming = closures.list_closures(utcnow().date() - timedelta(days=1))
    selected = request.args.get("scope", "")
    form = form or ClosureForm(scope=selected or None)
    return render_template(
        "closures/index.html",
        form=form,
        closures=upcoming,
        action_form=ActionForm(),
        import_url=url_for("closures.import_calendar", scope=selected)
        if selected
        else url_for("closures.import_calendar"),
    ), status


@bp.route("")
@coordinator_required
def index():
    return _index()


def _preview(plan: closures.ClosurePlan, source: str, notes: list[str] | None = None):
    return render_template(
        "closures/preview.html", plan=plan, source=source, notes=notes or [], action_form=ActionForm()
    )


@bp.route("/preview", methods=["POST"])
@coordinator_required
def preview():
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            scope = closures.scope_from_key(form.scope.data)
            label = closures.clean_label(form.label.data)
            plan = closures.plan_closures(scope, [closures.ProposedClosure(form.day.data, label)])
        except DomainError as error:
            attach_error(form, error)
        else:
            return _preview(plan, ClosureSource.TYPED)
    return _index(form, status=422)


@bp.route("/import", methods=["GET", "POST"])
@coordinator_required
def import_calendar():
    form = HolidayCalendarForm(scope=request.args.get("scope") or None)
    if form.validate_on_submit():
        try:
            scope = closures.scope_from_key(form.scope.data)
            first = closures.first_open_day(scope)
            data = form.calendar_file.data.read(MAX_BYTES + 1)
            read = read_holidays(data, first, first + timedelta(days=closures.AHEAD_DAYS))
            if not read.days:
                raise DomainError(
                    _("This calendar has no all-day event from today on, so it closes no day."),
                    field="calendar_file",
                )
            plan = closures.plan_closures(scope, read.days)
        except DomainError as error:
            attach_error(form, error)
        else:
            return _preview(plan, ClosureSource.CALENDAR, summary_lines(read))
    status = 422 if form.is_submitted() else 200
    return render_template("closures/import.html", form=form), status


def _posted_days() -> list[closures.ProposedClosure]:
    days, labels = request.form.getlist("day"), request.form.getlist("label")
    if not days or len(days) != len(labels) or len(days) > closures.MAX_DAYS_AT_ONCE:
        abort(400)
    return [
        closures.ProposedClosure(closures.parse_day(d), closures.clean_label(lb))
        for d, lb in zip(days, labels, strict=True)
    ]


@bp.route("/confirm", methods=["POST"])
@coordinator_required
def confirm():
    if not ActionForm().validate_on_submit():
        abort(400)
    source = request.form.get("source")
    if source not in {s.value for s in ClosureSource}:
        abort(400)
    try:
        scope = closures.scope_from_key(request.form.get("scope"))
        saved = closures.save_closures(current_user, scope, _posted_days(), source=source)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("closures.index")), 303
    if saved.created:
        days = ngettext("%(num)d closure day saved", "%(num)d closure days saved", len(saved.created))
        shifts = ngettext(
            "%(num)d shift cancelled and its volunteers told.",
            "%(num)d shifts cancelled and their volunteers told.",
            saved.cancelled,
        )
        flash(_("%(days)s for %(where)s; %(shifts)s", days=days, where=scope.title, shifts=shifts), "info")
    else:
        flash(_("Nothing new: these days were closed already."), "info")
    return redirect(url_for("closures.index")), 303


@bp.route("/<int:closure_id>/remove", methods=["POST"])
@coordinator_required
def remove(closure_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        closure = closures.remove_closure(current_user, closure_id)
    except NotFound:
        abort(404)
    flash(
        _(
            "%(day)s is no longer a closure day. Shifts it cancelled stay cancelled; patterns fill the day "
            "from their next run.",
            day=closure.day.isoformat(),
        ),
        "info",
    )
    return redirect(url_for("closures.index")), 303
