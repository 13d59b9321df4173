"""The account page: profile, languages, password, sessions. Open to pending accounts too.

Second-factor management lives in ``enrolment_views`` on the same blueprint.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch import signals
from courtwatch.auth import second_factor, services, session_records
from courtwatch.auth.access import pending_allowed
from courtwatch.auth.forms import PasswordChangeForm, ProfileForm
from courtwatch.auth.session import begin_session, current_session_token, end_current_session
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import ActionForm, attach_error

bp = Blueprint("account", __name__, url_prefix="/account")


def _render(profile_form=None, password_form=None, status=200):
    profile_form = profile_form or ProfileForm(
        obj=current_user, languages=current_user.language_codes, locale=current_user.locale or ""
    )
    password_form = password_form or PasswordChangeForm()
    # Other areas add sections (calendar links, my reports) through a signal: auth imports none of them.
    sections = signals.collect(signals.account_sections)
    current_digest = session_records.token_digest(current_session_token() or "")
    return render_template(
        "account/show.html",
        profile_form=profile_form,
        password_form=password_form,
        sections=sections,
        sessions=session_records.list_sessions(current_user),
        current_digest=current_digest,
        action_form=ActionForm(),
        has_second_factor=second_factor.has_second_factor(current_user),
    ), status


@bp.route("", methods=["GET"])
@pending_allowed
def show():
    return _render()


@bp.route("/profile", methods=["POST"])
@pending_allowed
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        services.update_profile(
            current_user,
            name=form.name.data,
            phone=form.phone.data,
            languages=form.languages.data,
            locale=form.locale.data,
        )
        flash(_("Your profile is saved."), "info")
        return redirect(url_for("account.show"))
    return _render(profile_form=form, status=422)


@bp.route("/password", methods=["POST"])
@pending_allowed
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            begin_session(current_user._get_current_object())  # every session ended; this one starts anew
            flash(_("Your password is changed. Other devices are logged out."), "info")
            return redirect(url_for("account.show"))
    return _render(password_form=form, status=422)


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@pending_allowed
def end_session(session_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        session_records.end_session_by_id(current_user, session_id)
    except NotFound:
        abort(404)
    flash(_("That session is ended."), "info")
    return redirect(url_for("account.show"))


@bp.route("/sessions/end-all", methods=["POST"])
@pending_allowed
def end_all_sessions():
    """Log out everywhere, this browser included."""
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    end_current_session()
    session_records.end_all_sessions(user)
    flash(_("You are logged out everywhere. Log in again on the devices you use."), "info")
    return redirect(url_for("auth.login"))
