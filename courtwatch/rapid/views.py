"""On call (my windows), "Agents here now", the dispatch page of an alert, and coverage.

Every page needs a login (the access policy is closed by default); the dispatch page is for the
people alerted and staff only, since it shows first names.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from courtwatch.auth.access import coordinator_required
from courtwatch.courts.models import Courthouse
from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.forms import attach_error
from courtwatch.observations.models import ACTION_LABELS, AREA_LABELS, Action
from courtwatch.rapid import alerts, oncall
from courtwatch.rapid.forms import WindowForm
from courtwatch.rapid.models import ETA_PRESETS, Alert, ResponseStatus, Verification

bp = Blueprint("rapid", __name__)


def _places() -> list[tuple[str, str]]:
    courthouses = list(
        db.session.scalars(select(Courthouse).where(Courthouse.active.is_(True)).order_by(Courthouse.name))
    )
    counties = sorted({c.county for c in courthouses if c.county})
    return [(f"c:{c.id}", c.name) for c in courthouses] + [
        (f"k:{county}", _("All of %(county)s", county=county)) for county in counties
    ]


def _save_window(form: WindowForm) -> None:
    kind, _sep, value = (form.place.data or "").partition(":")
    courthouse = db.session.get(Courthouse, int(value)) if kind == "c" and value.isdigit() else None
    county = value if kind == "k" else None
    if courthouse is None and not county:
        raise DomainError(_("Choose a courthouse or a county."), field="place")
    zone = courthouse.zone if courthouse else oncall.county_zone(county)
    starts_at = datetime.combine(form.start_date.data, form.start_time.data, zone)
    ends_at = datetime.combine(form.end_date.data, form.end_time.data, zone)
    oncall.add_window(
        current_user, starts_at, ends_at, courthouse=courthouse, county=county, weekly=bool(form.weekly.data)
    )


@bp.route("/oncall", methods=["GET", "POST"])
def my_on_call():
    form = WindowForm()
    form.place.choices = _places()
    if form.validate_on_submit():
        try:
            _save_window(form)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("You are on call for that time."), "success")
            return redirect(url_for("rapid.my_on_call"))
    status = 400 if request.method == "POST" else 200
    return _on_call_page(form, status)


def _on_call_page(form: WindowForm, status: int = 200):
    courthouses = [(value[2:], label) for value, label in form.place.choices if value.startswith("c:")]
    return render_template(
        "rapid/on_call.html",
        form=form,
        windows=oncall.my_windows(current_user),
        opted_in=oncall.my_opt_ins(current_user),
        courthouses=courthouses,
    ), status


@bp.post("/oncall/opt-in")
def opt_in():
    """Also hear about a courthouse's alerts when nobody on call answers."""
    value = request.form.get("courthouse", "")
    courthouse = db.session.get(Courthouse, int(value)) if value.isdigit() else None
    try:
        if courthouse is None:
            raise DomainError(_("Choose a courthouse."), field="courthouse")
        oncall.opt_in(current_user, courthouse)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
    return redirect(url_for("rapid.my_on_call"))


@bp.post("/oncall/opt-in/<int:courthouse_id>/remove")
def opt_out(courthouse_id: int):
    oncall.opt_out(current_user, courthouse_id)
    db.session.commit()
    return redirect(url_for("rapid.my_on_call"))


@bp.post("/oncall/<int:window_id>/remove")
def remove_window(window_id: int):
    try:
        oncall.remove_window(current_user, window_id)
    except DomainError:
        abort(404)
    db.session.commit()
    flash(_("Removed."), "success")
    return redirect(url_for("rapid.my_on_call"))


@bp.get("/oncall/coverage")
@coordinator_required
def coverage():
    return render_template("rapid/coverage.html", rows=oncall.coverage())


@bp.route("/courthouses/<int:courthouse_id>/agents-here", methods=["GET", "POST"])
def agents_here(courthouse_id: int):
    """Tap one: this page. Tap two: the area. The alert goes out at once."""
    courthouse = db.get_or_404(Courthouse, courthouse_id)
    if not courthouse.active:
        abort(404)
    if request.method == "POST":
        area = request.form.get("area")
        if area not in AREA_LABELS:
            flash(_("Choose where the agents are."), "error")
            return render_template("rapid/agents_here.html", courthouse=courthouse, areas=AREA_LABELS), 400
        alert = alerts.raise_alert(courthouse, action=Action.SIGHTING, area=area)
        db.session.commit()
        return redirect(url_for("rapid.dispatch", alert_id=alert.id))
    return render_template("rapid/agents_here.html", courthouse=courthouse, areas=AREA_LABELS)


def _alert_for_viewer(alert_id: int) -> Alert:
    alert = db.get_or_404(Alert, alert_id)
    if not alerts.can_see(current_user, alert):
        abort(403)
    return alert


@bp.get("/alerts/<int:alert_id>")
def dispatch(alert_id: int):
    alert = _alert_for_viewer(alert_id)
    return render_template(
        "rapid/dispatch.html",
        alert=alert,
        action_label=ACTION_LABELS.get(alert.action, alert.action),
        areas=AREA_LABELS,
        eta_presets=ETA_PRESETS,
        statuses=ResponseStatus,
        verifications=Verification.labels(),
    )


@bp.post("/alerts/<int:alert_id>/respond")
def respond(alert_id: int):
    alert = _alert_for_viewer(alert_id)
    eta = request.form.get("eta", "")
    try:
        alerts.respond(current_user, alert, request.form.get("status", ""), int(eta) if eta.isdigit() else None)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
    return redirect(url_for("rapid.dispatch", alert_id=alert_id))


@bp.post("/alerts/<int:alert_id>/stand-down")
@coordinator_required
def stand_down(alert_id: int):
    alerts.stand_down(current_user, _alert_for_viewer(alert_id))
    db.session.commit()
    return redirect(url_for("rapid.dispatch", alert_id=alert_id))


@bp.post("/alerts/<int:alert_id>/verify")
@coordinator_required
def verify(alert_id: int):
    try:
        alerts.verify(current_user, _alert_for_viewer(alert_id), request.form.get("result", ""))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
    return redirect(url_for("rapid.dispatch", alert_id=alert_id))
