"""/account/messages: the channels a person wants per kind of message, and this browser's Web
Push subscription (made by ``static/push.js`` through the service worker).

The subscription endpoint is where the server will later post, so only an https URL is taken,
and the keys must be what RFC 8291 says (a 65-byte P-256 point, a 16-byte auth secret): anything
else is refused with 400 rather than stored to fail on every alert.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import delete, select

from courtwatch.db import db
from courtwatch.forms import CourtwatchForm
from courtwatch.notify import preferences
from courtwatch.notify.channels import push_configured, sms_configured
from courtwatch.notify.models import Channel, MessageKind, PushSubscription

bp = Blueprint("channels", __name__, url_prefix="/account/messages")

KIND_LABELS = {
    MessageKind.ALERT: lambda: _("Alerts (agents at a courthouse)"),
    MessageKind.REMINDER: lambda: _("Shift reminders"),
    MessageKind.NOTICE: lambda: _("Notices about my shifts"),
    MessageKind.ANNOUNCEMENT: lambda: _("Announcements"),
}
CHANNEL_LABELS = {
    Channel.EMAIL: lambda: _("Email"),
    Channel.SMS: lambda: _("Text message"),
    Channel.PUSH: lambda: _("Notification on this app"),
}


def account_section() -> Markup | None:
    """The "Messages" card on /account (``account_sections`` signal)."""
    if not current_user.is_authenticated or not current_user.is_approved:
        return None
    config = current_app.config
    return Markup(
        render_template(
            "account/channels_section.html",
            form=CourtwatchForm(formdata=None),
            chosen=preferences.chosen_channels(current_user),
            kinds=[(kind.value, KIND_LABELS[kind]()) for kind in MessageKind],
            channels=[(channel.value, CHANNEL_LABELS[channel]()) for channel in Channel],
            sms_ready=sms_configured(config),
            has_phone=bool(current_user.phone),
            vapid_public_key=config["VAPID_PUBLIC_KEY"] if push_configured(config) else "",
            device_count=len(_own_subscriptions()),
        )
    )


def _own_subscriptions() -> list[PushSubscription]:
    return db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == current_user.id)).all()


@bp.route("", methods=["GET"])
def index():
    """The "How we reach you" card on a page of its own: where saving lands."""
    return render_template("account/channels.html", section=account_section())


@bp.route("/channels", methods=["POST"])
def save_channels():
    form = CourtwatchForm()
    if not form.validate_on_submit():
        abort(400)  # only a missing or stale CSRF token can fail a form of checkboxes
    choices = {kind.value: request.form.getlist(f"channels-{kind.value}") for kind in MessageKind}
    preferences.save_channels(current_user, choices)
    flash(_("Your message settings are saved."), "info")
    return redirect(url_for("channels.index"))


def _key(value, length: int) -> str | None:
    if not isinstance(value, str) or len(value) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    return value.rstrip("=") if len(raw) == length else None


@bp.route("/push", methods=["POST"])
def subscribe():
    data = request.get_json(silent=True) or {}
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    keys = data.get("keys") if isinstance(data, dict) and isinstance(data.get("keys"), dict) else {}
    p256dh, auth = _key(keys.get("p256dh"), 65), _key(keys.get("auth"), 16)
    if not isinstance(endpoint, str) or len(endpoint) > 1000 or urlsplit(endpoint).scheme != "https":
        return jsonify(error=_("That is not a push subscription.")), 400
    if not urlsplit(endpoint).hostname or p256dh is None or auth is None:
        return jsonify(error=_("That is not a push subscription.")), 400
    row = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if row is None:
        db.session.add(PushSubscription(user_id=current_user.id, endpoint=endpoint, p256dh=p256dh, auth=auth))
    else:
        # The same browser, now someone else's session: it notifies only the person logged in.
        row.user_id, row.p256dh, row.auth = current_user.id, p256dh, auth
    return jsonify(ok=True), 201


@bp.route("/push/remove", methods=["POST"])
def unsubscribe():
    data = request.get_json(silent=True) or {}
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if isinstance(endpoint, str):
        db.session.execute(
            delete(PushSubscription).where(
                PushSubscription.endpoint == endpoint, PushSubscription.user_id == current_user.id
            )
        )
    return "", 204
