"""Coordinators manage volunteers (approval, suspension, trainings); admins also change roles."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from courtwatch import signals
from courtwatch.auth import services
from courtwatch.auth.access import admin_required, coordinator_required
from courtwatch.auth.forms import RoleForm, TrainingForm
from courtwatch.auth.models import AccountStatus, User, UserTraining
from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.forms import ActionForm, attach_error

bp = Blueprint("people", __name__, url_prefix="/coordinator/volunteers")

PAGE_SIZE = 50
STATUS_ACTIONS = {
    "approve": (services.approve_user, lambda name: _("Approved %(name)s.", name=name)),
    "reject": (services.reject_user, lambda name: _("Rejected %(name)s.", name=name)),
    "suspend": (services.suspend_user, lambda name: _("Suspended %(name)s.", name=name)),
    "reactivate": (services.reactivate_user, lambda name: _("Reactivated %(name)s.", name=name)),
}


def _load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("")
@coordinator_required
def index():
    status = request.args.get("status", AccountStatus.PENDING)
    if status not in set(AccountStatus):
        status = AccountStatus.PENDING
    search = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=int), 1)
    query = (
        select(User)
        .where(User.status == status)
        .options(selectinload(User.trainings).joinedload(UserTraining.training))
    )
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    query = query.order_by(User.created_at.desc() if status == AccountStatus.PENDING else User.name)
    users = list(db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    counts = dict(db.session.execute(select(User.status, func.count()).group_by(User.status)).all())
    return render_template(
        "people/index.html",
        users=users[:PAGE_SIZE],
        has_more=len(users) > PAGE_SIZE,
        page=page,
        status=status,
        search=search,
        counts=counts,
        statuses=list(AccountStatus),
        action_form=ActionForm(),
    )


@bp.route("/<int:user_id>")
@coordinator_required
def detail(user_id: int, training_form=None, role_form=None, status=200):
    user = _load_user(user_id)
    return render_template(
        "people/detail.html",
        user=user,
        action_form=ActionForm(),
        training_form=training_form or TrainingForm(),
        role_form=role_form or RoleForm(role=user.role),
        trainings=services.list_trainings(),
        sections=signals.collect(signals.person_sections, user=user),
    ), status


@bp.route("/<int:user_id>/<any(approve, reject, suspend, reactivate):action>", methods=["POST"])
@coordinator_required
def change_status(user_id: int, action: str):
    user = _load_user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    service, message = STATUS_ACTIONS[action]
    try:
        service(current_user, user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("people.detail", user_id=user.id))
    flash(message(user.name), "info")
    back = request.form.get("back")
    return redirect(url_for("people.index") if back == "list" else url_for("people.detail", user_id=user.id))


@bp.route("/<int:user_id>/trainings", methods=["POST"])
@coordinator_required
def add_training(user_id: int):
    user = _load_user(user_id)
    form = TrainingForm()
    if form.validate_on_submit():
        try:
            training = services.get_or_create_training(form.training.data)
            services.record_training(current_user, user, training, form.completed_on.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Training recorded."), "info")
            return redirect(url_for("people.detail", user_id=user.id))
    return detail(user_id, training_form=form, status=422)


@bp.route("/<int:user_id>/trainings/<int:record_id>/remove", methods=["POST"])
@coordinator_required
def remove_training(user_id: int, record_id: int):
    record = db.session.get(UserTraining, record_id)
    if record is None or record.user_id != user_id or not ActionForm().validate_on_submit():
        abort(404)
    services.remove_training(current_user, record)
    flash(_("Training removed."), "info")
    return redirect(url_for("people.detail", user_id=user_id))


@bp.route("/<int:user_id>/role", methods=["POST"])
@admin_required
def change_role(user_id: int):
    user = _load_user(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.change_role(current_user, user, form.role.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Role changed."), "info")
            return redirect(url_for("people.detail", user_id=user.id))
    return detail(user_id, role_form=form, status=422)


@bp.route("/<int:user_id>/enrolment-link", methods=["POST"])
@admin_required
def issue_enrolment_link(user_id: int):
    """An admin hands a second-factor set-up link to someone in person (e.g. their email is not
    safe to use). Shown once, here; it works once, within 24 hours, and still needs their password."""
    from flask import current_app

    from courtwatch.auth import second_factor

    user = _load_user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    token = second_factor.issue_enrolment_grant(user, issued_by=current_user)
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("account.follow_enrolment_link", token=token)
    return render_template("people/enrolment_link.html", user=user, link=link)
