"""Login, two-factor step, logout, registration and password reset."""

from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from courtwatch.auth import secrets as auth_secrets
from courtwatch.auth import services
from courtwatch.auth.access import pending_allowed, public
from courtwatch.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm, TwoFactorForm
from courtwatch.auth.models import User
from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.extensions import limiter
from courtwatch.forms import attach_error
from courtwatch.web import safe_next

bp = Blueprint("auth", __name__)

GENERIC_LOGIN_ERROR = "Email or password is not right, or the account is not open."


def _login_rate_key() -> str:
    # Per account, not per address: no IP address is ever written to the limiter's store.
    email = services.normalise_email(request.form.get("email", ""))
    return "login:" + hashlib.sha256(email.encode()).hexdigest()[:24]


def _two_factor_rate_key() -> str:
    return f"totp:{session.get('pending_user_id', 'none')}"


def _fresh_session(**values) -> None:
    """Drop everything set before login (session fixation), keeping only where to go next."""
    next_url = session.get("next")
    session.clear()
    session.permanent = True
    session.update(values)
    if next_url:
        session["next"] = next_url


def _start_session(user: User) -> None:
    _fresh_session()
    login_user(user)


def _after_login_redirect():
    return redirect(safe_next(session.pop("next", None), url_for("home.index")))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_rate_key,
               methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET" and request.args.get("next"):
        session["next"] = safe_next(request.args["next"], "")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_(GENERIC_LOGIN_ERROR))
            return render_template("auth/login.html", form=form), 422
        if current_app.config["STAFF_TWO_FACTOR"] and user.totp_secret:
            _fresh_session(pending_user_id=user.id, pending_user_version=user.session_version)
            return redirect(url_for("auth.login_two_factor"))
        _start_session(user)
        return _after_login_redirect()
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
@limiter.limit("10 per 10 minutes", key_func=_two_factor_rate_key, methods=["POST"])
def login_two_factor():
    user = db.session.get(User, session.get("pending_user_id") or 0)
    if user is None or user.session_version != session.get("pending_user_version") or not user.is_active:
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        if auth_secrets.verify_totp(user, form.code.data):
            _start_session(user)
            return _after_login_redirect()
        form.code.errors = [_("That code is not right. Check the time on your phone and try again.")]
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login_two_factor.html", form=form), status


@bp.route("/logout", methods=["POST"])
@pending_allowed
def logout():
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_volunteer(
                email=form.email.data, name=form.name.data, password=form.password.data,
                languages=form.languages.data, phone=form.phone.data, locale=form.locale.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            _start_session(user)
            flash(_("Welcome! A coordinator will review your account. You will see shifts once it is approved."),
                  "info")
            return redirect(url_for("account.show"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit("5 per hour", key_func=_login_rate_key, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        auth_secrets.request_password_reset(form.email.data)
        flash(_("If an account exists for that address, we have sent it a link to choose a new password."),
              "info")
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        auth_secrets.user_for_reset_token(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            auth_secrets.reset_password(token, form.password.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            logout_user()
            session.clear()
            flash(_("Your password is changed. Log in with the new one."), "info")
            return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/reset.html", form=form), status


@bp.route("/language", methods=["POST"])
@public
def set_language():
    code = request.form.get("locale", "")
    if code in current_app.config["LANGUAGES"].split(","):
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
    return redirect(safe_next(request.form.get("next"), url_for("home.index")))
