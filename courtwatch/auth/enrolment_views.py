"""Second-factor management on the account page: set-up links, enrolment (authenticator app or
passkey) behind the password typed again, replacing and removing behind the password and a
current code, recovery codes shown once. The rules are in ``second_factor``; this module only
carries what a ceremony needs between requests in the session.
"""

from __future__ import annotations

import time

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.auth import passkeys, second_factor, throttle
from courtwatch.auth import secrets as auth_secrets
from courtwatch.auth.access import pending_allowed, public
from courtwatch.auth.account_views import bp
from courtwatch.auth.forms import ChangeFactorForm, PasswordAgainForm, TwoFactorForm
from courtwatch.errors import DomainError
from courtwatch.forms import ActionForm, attach_error, has_control_characters

GRANT_KEY = "enrolment_grant_id"
REAUTH_KEY = "enrol_password_at"
SECRET_KEY = "enrol_secret"
CHALLENGE_KEY = "enrol_passkey_challenge"
# How long the password typed again stays good for enrolling.
REAUTH_SECONDS = 10 * 60


def _reauth_attempt() -> throttle.Attempt:
    """Typing the password (and a code) again is throttled like a login: a stolen session must not
    become a way to guess them."""
    return throttle.Attempt(email=current_user.email, client_address=request.remote_addr)


def _grant():
    return second_factor.usable_grant(current_user, session.get(GRANT_KEY))


def _password_fresh() -> bool:
    return time.time() - float(session.get(REAUTH_KEY) or 0) < REAUTH_SECONDS


def _stage() -> str:
    """ "link" (ask for a set-up link), "password" (type it again) or "enrol"."""
    if _grant() is None:
        return "link"
    return "enrol" if _password_fresh() else "password"


def _render(status=200, *, totp_form=None, password_form=None, change_form=None, recovery_codes=None):
    stage = _stage()
    context = {
        "stage": stage,
        "totp_form": totp_form or TwoFactorForm(),
        "password_form": password_form or PasswordAgainForm(),
        "change_form": change_form or ChangeFactorForm(),
        "action_form": ActionForm(),
        "has_factor": second_factor.has_second_factor(current_user),
        "passkeys": passkeys.list_passkeys(current_user),
        "recovery_left": second_factor.remaining_recovery_codes(current_user),
        "recovery_codes": recovery_codes,
        "password_fresh": _password_fresh(),
    }
    if stage == "enrol" and not current_user.totp_secret:
        secret = session.setdefault(SECRET_KEY, auth_secrets.new_totp_secret())
        context.update(secret=secret, qr_svg=auth_secrets.provisioning_svg(secret, current_user.email))
    return render_template("account/two_factor.html", **context), status


@bp.route("/two-factor", methods=["GET"])
@pending_allowed
def two_factor():
    return _render()


@bp.route("/two-factor/link", methods=["POST"])
@pending_allowed
def send_enrolment_link():
    base = current_app.config["BASE_URL"].rstrip("/")
    second_factor.send_enrolment_link(
        current_user, lambda token: base + url_for("account.follow_enrolment_link", token=token)
    )
    flash(_("We have emailed you a set-up link. It works once, within 24 hours."), "info")
    return redirect(url_for("account.two_factor"))


@bp.route("/two-factor/enrol/<token>", methods=["GET"])
@public
def follow_enrolment_link(token: str):
    """The emailed (or admin-issued) link: its token moves into the session as the grant's id and
    the browser goes on to a URL without it."""
    try:
        grant = second_factor.grant_for_token(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("account.two_factor"))
    session[GRANT_KEY] = grant.id
    session.pop(REAUTH_KEY, None)
    return redirect(url_for("account.two_factor"))


@bp.route("/two-factor/password", methods=["POST"])
@pending_allowed
def confirm_password():
    form = PasswordAgainForm()
    if _grant() is None:
        return redirect(url_for("account.two_factor"))
    if form.validate_on_submit():
        try:
            throttle.check_attempt(_reauth_attempt())
            second_factor.check_password_again(current_user, form.password.data)
        except throttle.Throttled as error:
            form.form_errors.append(error.message)
            return _render(429, password_form=form)
        except DomainError as error:
            throttle.record_failure(_reauth_attempt())
            attach_error(form, error)
        else:
            session[REAUTH_KEY] = time.time()
            return redirect(url_for("account.two_factor"))
    return _render(422, password_form=form)


def _finish_enrolment(codes):
    session.pop(SECRET_KEY, None)
    session.pop(GRANT_KEY, None)
    if codes:
        return _render(recovery_codes=codes)
    flash(_("Two-factor login is on."), "info")
    return redirect(url_for("account.two_factor"))


@bp.route("/two-factor/app", methods=["POST"])
@pending_allowed
def enrol_app():
    grant = _grant()
    if grant is None or not _password_fresh() or SECRET_KEY not in session:
        return redirect(url_for("account.two_factor"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.enrol_totp(current_user, grant, session[SECRET_KEY], form.code.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            return _finish_enrolment(codes)
    return _render(422, totp_form=form)


@bp.route("/two-factor/passkey/options", methods=["POST"])
@pending_allowed
def passkey_options():
    if _grant() is None or not _password_fresh():
        return jsonify(error=_("Open your set-up link and type your password again first.")), 400
    options, challenge = passkeys.registration_options(current_user)
    session[CHALLENGE_KEY] = challenge.hex()
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/two-factor/passkey", methods=["POST"])
@pending_allowed
def enrol_passkey():
    grant = _grant()
    challenge = session.pop(CHALLENGE_KEY, None)
    if grant is None or not _password_fresh() or not challenge:
        return jsonify(error=_("Open your set-up link and type your password again first.")), 400
    from urllib.parse import unquote

    name = unquote(request.headers.get("X-Passkey-Name", ""))[:80]
    name = "" if has_control_characters(name) else name
    try:
        passkeys.register_passkey(
            current_user, grant, request.get_data(as_text=True)[:20_000], bytes.fromhex(challenge), name
        )
    except DomainError as error:
        return jsonify(error=error.message), 422
    session.pop(GRANT_KEY, None)
    flash(_("Your passkey is registered. Two-factor login is on."), "info")
    return jsonify(redirect=url_for("account.two_factor"))


@bp.route("/two-factor/recovery-codes", methods=["POST"])
@pending_allowed
def first_recovery_codes():
    """Right after enrolling a passkey (the password was typed minutes ago): the first codes."""
    if (
        not second_factor.has_second_factor(current_user)
        or second_factor.remaining_recovery_codes(current_user)
        or not _password_fresh()
    ):
        return redirect(url_for("account.two_factor"))
    return _render(recovery_codes=second_factor.new_recovery_codes(current_user))


@bp.route("/two-factor/change", methods=["POST"])
@pending_allowed
def change_factor():
    """Replace or remove the second factor, or make new recovery codes: password and a current code."""
    form = ChangeFactorForm()
    action = request.form.get("action")
    if form.validate_on_submit() and action in ("replace", "remove", "codes"):
        try:
            throttle.check_attempt(_reauth_attempt())
        except throttle.Throttled as error:
            form.form_errors.append(error.message)
            return _render(429, change_form=form)
        try:
            if action == "codes":
                second_factor.check_password_again(current_user, form.password.data)
                if not second_factor.verify_current_code(current_user, form.code.data):
                    raise DomainError(
                        _("That code is not right. Use a code from your app or a recovery code."), field="code"
                    )
                return _render(recovery_codes=second_factor.new_recovery_codes(current_user))
            if action == "replace":
                grant = second_factor.replace_second_factor(current_user, form.password.data, form.code.data)
                session[GRANT_KEY] = grant.id
                session[REAUTH_KEY] = time.time()
                session.pop(SECRET_KEY, None)
                flash(_("Your old second factor is removed. Set up the new one now."), "info")
            else:
                second_factor.remove_second_factor(current_user, form.password.data, form.code.data)
                flash(_("Two-factor login is off for your account."), "info")
            return redirect(url_for("account.two_factor"))
        except DomainError as error:
            throttle.record_failure(_reauth_attempt())
            attach_error(form, error)
    return _render(422, change_form=form)
