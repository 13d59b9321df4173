"""/admin/outbox: queued and failed messages per channel, with retry and cancel, for staff.

Coordinators as well as admins: they dispatch alerts and must see at once that texts to the
on-call people are failing; they already see volunteers' phone numbers and emails (people pages),
so the addresses shown here reveal nothing new to them. Volunteers and responders never open it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.auth.access import coordinator_required
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import ActionForm
from courtwatch.notify import outbox_admin
from courtwatch.notify.models import Channel, OutboxStatus
from courtwatch.notify.views import KIND_LABELS
from courtwatch.web import mark_for_rollback

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")

STATUS_LABELS = {
    OutboxStatus.PENDING: lambda: _("waiting"),
    OutboxStatus.SENDING: lambda: _("being sent"),
    OutboxStatus.FAILED: lambda: _("failed"),
    OutboxStatus.CANCELLED: lambda: _("cancelled"),
}
CHANNEL_LABELS = {
    Channel.EMAIL: lambda: _("Email"),
    Channel.SMS: lambda: _("Text message"),
    Channel.PUSH: lambda: _("Push notification"),
}


def _filters() -> tuple[str, str | None]:
    which = request.args.get("which", "queued")
    channel = request.args.get("channel") or None
    return (which if which in outbox_admin.LISTED else "queued"), (channel if channel in set(Channel) else None)


@bp.route("")
@coordinator_required
def index():
    which, channel = _filters()
    before_id = request.args.get("before", type=int)
    rows = outbox_admin.list_messages(
        which=which, channel=channel, before_id=before_id, limit=outbox_admin.PAGE_SIZE + 1
    )
    page = rows[: outbox_admin.PAGE_SIZE]
    return render_template(
        "notify/outbox.html",
        rows=page,
        next_before=page[-1].message.id if len(rows) > outbox_admin.PAGE_SIZE else None,
        counts=outbox_admin.counts_by_channel(),
        statuses=[(status.value, STATUS_LABELS[status]()) for status in outbox_admin.COUNTED],
        channels=[(c.value, CHANNEL_LABELS[c]()) for c in Channel],
        status_labels={status.value: label() for status, label in STATUS_LABELS.items()},
        channel_labels={c.value: label() for c, label in CHANNEL_LABELS.items()},
        kind_labels={kind.value: label() for kind, label in KIND_LABELS.items()},
        which=which,
        channel=channel,
        form=ActionForm(formdata=None),
        actionable=set(outbox_admin.RETRYABLE),
    )


def _act(message_id: int, change, done: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        change(current_user, message_id)
    except NotFound:
        mark_for_rollback()
        abort(404)
    except DomainError as error:
        mark_for_rollback()
        flash(error.message, "error")
    else:
        flash(done, "success")
    which, channel = _filters()
    return redirect(url_for("outbox.index", which=which, channel=channel))


@bp.route("/<int:message_id>/retry", methods=["POST"])
@coordinator_required
def retry(message_id: int):
    return _act(message_id, outbox_admin.retry_message, _("The message will be sent again now."))


@bp.route("/<int:message_id>/cancel", methods=["POST"])
@coordinator_required
def cancel(message_id: int):
    return _act(message_id, outbox_admin.cancel_message, _("The message is cancelled and will not be sent."))
