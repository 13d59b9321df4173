"""The account page: profile, languages, password, second factor. Open to pending accounts too."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from courtwatch import signals
from courtwatch.auth import secrets as auth_secrets
from courtwatch.auth import services
from courtwatch.auth.access import pending_allowed
from courtwatch.auth.forms import PasswordChangeForm, ProfileForm, TwoFactorForm
from courtwatch.errors import DomainError
from courtwatch.forms import attach_error

bp = Blueprint("account", __name__, url_prefix="/account")


def _render(profile_form=None, password_form=None, status=200):
    profile_form = profile_form or ProfileForm(obj=current_user, languages=current_user.language_codes,
                                               locale=current_user.locale or "")
    password_form = password_form or PasswordChangeForm()
    # Other areas add sections (calendar links, my reports) through a signal: auth imports none of them.
    sections = signals.collect(signals.account_sections)
    return render_template("account/show.html", profile_form=profile_form, password_form=password_form,
                           sections=sections), status


@bp.route("", methods=["GET"])
@pending_allowed
def show():
    return _render()


@bp.route("/profile", methods=["POST"])
@pending_allowed
def update_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        services.update_profile(current_user, name=form.name.data, phone=form.phone.data,
                                languages=form.languages.data, locale=form.locale.data)
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
            session.clear()
            login_user(current_user._get_current_object())  # this session continues, the others end
            flash(_("Your password is changed. Other devices are logged out."), "info")
            return redirect(url_for("account.show"))
    return _render(password_form=form, status=422)


@bp.route("/two-factor", methods=["GET", "POST"])
@pending_allowed
def two_factor():
    """Enrol an authenticator app; the secret lives in the session until a code proves it works."""
    form = TwoFactorForm()
    if request.method == "GET" or "enrol_secret" not in session:
        session["enrol_secret"] = auth_secrets.new_totp_secret()
    secret = session["enrol_secret"]
    if form.validate_on_submit():
        try:
            auth_secrets.enable_two_factor(current_user, secret, form.code.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            session.pop("enrol_secret", None)
            flash(_("Two-factor login is on."), "info")
            return redirect(url_for("home.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("account/two_factor.html", form=form, secret=secret,
                           qr_svg=auth_secrets.provisioning_svg(secret, current_user.email)), status

