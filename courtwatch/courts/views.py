"""Courthouse pages: every approved user can look them up; coordinators create and edit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.auth.access import coordinator_required
from courtwatch.courts import services
from courtwatch.courts.forms import CourthouseForm
from courtwatch.courts.models import COURT_TYPE_LABELS
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import attach_error

bp = Blueprint("courts", __name__, url_prefix="/courthouses")


def _courthouse_or_404(courthouse_id: int):
    try:
        return services.get_courthouse(courthouse_id)
    except NotFound:
        abort(404)


@bp.route("")
def index():
    courthouses = services.list_courthouses(active_only=not current_user.is_staff)
    return render_template("courts/index.html", courthouses=courthouses, type_labels=COURT_TYPE_LABELS)


@bp.route("/<int:courthouse_id>")
def detail(courthouse_id: int):
    courthouse = _courthouse_or_404(courthouse_id)
    if not courthouse.active and not current_user.is_staff:
        abort(404)
    return render_template("courts/detail.html", courthouse=courthouse, type_labels=COURT_TYPE_LABELS)


def _render_form(form, courthouse=None, status=200):
    return render_template(
        "courts/form.html", form=form, courthouse=courthouse, timezones=services.us_timezones()
    ), status


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def create():
    form = CourthouseForm()
    if form.validate_on_submit():
        try:
            courthouse = services.create_courthouse(current_user, **form.values())
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Courthouse saved."), "info")
            return redirect(url_for("courts.detail", courthouse_id=courthouse.id))
    return _render_form(form, status=422 if form.is_submitted() else 200)


@bp.route("/<int:courthouse_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(courthouse_id: int):
    courthouse = _courthouse_or_404(courthouse_id)
    form = CourthouseForm(obj=courthouse, court_types=courthouse.court_type_list)
    if form.validate_on_submit():
        try:
            services.update_courthouse(current_user, courthouse, **form.values())
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Courthouse saved."), "info")
            return redirect(url_for("courts.detail", courthouse_id=courthouse.id))
    return _render_form(form, courthouse, status=422 if form.is_submitted() else 200)
