"""Login (with the throttle and the second-factor step), logout, registration and password reset."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.auth import passkeys, second_factor, services, throttle
from courtwatch.auth import secrets as auth_secrets
from courtwatch.auth.access import pending_allowed, public
from courtwatch.auth.forms import ForgotPasswordForm, LoginCodeForm, LoginForm, RegisterForm, ResetPasswordForm
from courtwatch.auth.models import User
from courtwatch.auth.session import begin_session, end_current_session, restart_session
from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.extensions import limiter
from courtwatch.forms import attach_error
from courtwatch.web import safe_next

bp = Blueprint("auth", __name__)

GENERIC_LOGIN_ERROR = "Email or password is not right, or the account is not open."
RESET_TOKEN_KEY = "reset_token"


def _attempt(email: str) -> throttle.Attempt:
    return throttle.Attempt(
        email=services.normalise_email(email),
        client_address=request.remote_addr,
        device_cookie=request.cookies.get(throttle.DEVICE_COOKIE),
    )


def _forgot_rate_key() -> str:
    # Per account, not per address: no IP address is ever written to the limiter's store.
    import hashlib

    email = services.normalise_email(request.form.get("email", ""))
    return "forgot:" + hashlib.sha256(email.encode()).hexdigest()[:24]


def _complete_login(user: User, attempt: throttle.Attempt) -> str:
    """Every factor passed: clear the account's failures, start a session; where to go next."""
    throttle.record_success(attempt)
    begin_session(user)
    return safe_next(session.pop("next", None), url_for("home.index"))


def _remember_device(response, attempt: throttle.Attempt):
    """The device cookie that exempts this browser from the account's delays next time."""
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        throttle.new_device_cookie(attempt.email),
        max_age=int(current_app.config["DEVICE_COOKIE_MAX_AGE"]),
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        path="/login",
    )
    return response


def _finish_login(user: User, attempt: throttle.Attempt):
    return _remember_device(redirect(_complete_login(user, attempt)), attempt)


def _throttled(template: str, form, error: throttle.Throttled, **context):
    form.form_errors.append(error.message)
    response = current_app.make_response((render_template(template, form=form, **context), 429))
    response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET" and request.args.get("next"):
        session["next"] = safe_next(request.args["next"], "")
    if form.validate_on_submit():
        attempt = _attempt(form.email.data)
        try:
            throttle.check_attempt(attempt)
        except throttle.Throttled as error:
            return _throttled("auth/login.html", form, error)
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            throttle.record_failure(attempt)
            form.form_errors.append(_(GENERIC_LOGIN_ERROR))
            return render_template("auth/login.html", form=form), 422
        # An enrolled factor is always asked for, whatever STAFF_TWO_FACTOR says: that setting
        # only decides whether staff must enrol one.
        if second_factor.has_second_factor(user):
            restart_session(pending_user_id=user.id, pending_user_version=user.session_version)
            return redirect(url_for("auth.login_two_factor"))
        return _finish_login(user, attempt)
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


def _pending_user() -> User | None:
    user = db.session.get(User, session.get("pending_user_id") or 0)
    if user is None or user.session_version != session.get("pending_user_version") or not user.is_active:
        return None
    return user


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
def login_two_factor():
    user = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = LoginCodeForm()
    context = {"has_passkey": bool(passkeys.list_passkeys(user)), "has_app": bool(user.totp_secret)}
    if form.validate_on_submit():
        attempt = _attempt(user.email)
        try:
            throttle.check_attempt(attempt)
        except throttle.Throttled as error:
            return _throttled("auth/login_two_factor.html", form, error, **context)
        if second_factor.verify_current_code(user, form.code.data):
            return _finish_login(user, attempt)
        throttle.record_failure(attempt)
        form.code.errors = [_("That code is not right. Check the time on your phone, or use a recovery code.")]
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login_two_factor.html", form=form, **context), status


@bp.route("/login/passkey/options", methods=["POST"])
@public
def login_passkey_options():
    user = _pending_user()
    if user is None:
        return jsonify(error=_("Log in with your password first.")), 400
    options, challenge = passkeys.authentication_options(user)
    session["passkey_challenge"] = challenge.hex()
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/login/passkey", methods=["POST"])
@public
def login_passkey():
    user = _pending_user()
    challenge = session.pop("passkey_challenge", None)
    if user is None or not challenge:
        return jsonify(error=_("Log in with your password first.")), 400
    attempt = _attempt(user.email)
    try:
        throttle.check_attempt(attempt)
    except throttle.Throttled as error:
        return jsonify(error=error.message), 429
    if not passkeys.verify_passkey(user, request.get_data(as_text=True)[:20_000], bytes.fromhex(challenge)):
        throttle.record_failure(attempt)
        return jsonify(error=_("This passkey was not accepted. Try again or use a code.")), 422
    return _remember_device(jsonify(redirect=_complete_login(user, attempt)), attempt)


@bp.route("/logout", methods=["POST"])
@pending_allowed
def logout():
    end_current_session()
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
            services.register_volunteer(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                languages=form.languages.data,
                phone=form.phone.data,
                locale=form.locale.data,
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            # The same answer whether or not the address already had an account.
            flash(
                _(
                    "Thank you. We have sent a message to %(email)s. Log in to continue; a coordinator will "
                    "review new accounts.",
                    email=services.normalise_email(form.email.data),
                ),
                "info",
            )
            return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit("5 per hour", key_func=_forgot_rate_key, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        auth_secrets.request_password_reset(form.email.data)
        flash(
            _(
                "We have sent a message to that address. If it belongs to an account, it holds a link to "
                "choose a new password."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET"])
@public
def reset_password_link(token: str):
    """The emailed link: the token moves into the session and the browser goes to a URL without it,
    so it is in the access log once, at most, and never in a Referer or the history."""
    try:
        auth_secrets.user_for_reset_token(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.forgot_password"))
    end_current_session()  # a reset starts from no session at all
    session[RESET_TOKEN_KEY] = token
    return redirect(url_for("auth.reset_password"))


@bp.route("/password/reset", methods=["GET", "POST"])
@public
def reset_password():
    token = session.get(RESET_TOKEN_KEY)
    try:
        auth_secrets.user_for_reset_token(token or "")
    except DomainError as error:
        session.pop(RESET_TOKEN_KEY, None)
        flash(error.message if token else _("Open the link from the email to choose a new password."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            auth_secrets.reset_password(token, form.password.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            end_current_session()
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
