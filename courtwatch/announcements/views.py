"""/announcements: coordinators write, preview and send; recipients read what was sent to them.

Writing is two steps on one page: "Preview" shows the text as it will read, who it reaches and
how many people that is; "Send" appears only with a preview, and sends only what was previewed
(an edit after the preview shows the new preview instead of sending).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from courtwatch.announcements import services
from courtwatch.announcements.forms import AnnouncementForm
from courtwatch.auth.access import coordinator_required
from courtwatch.auth.languages import language_choices
from courtwatch.auth.models import Training
from courtwatch.courts.models import Courthouse
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import attach_error
from courtwatch.shifts.models import Shift, ShiftStatus
from courtwatch.web import mark_for_rollback

bp = Blueprint("announcements", __name__, url_prefix="/announcements")

SHIFT_CHOICES_BEFORE = timedelta(days=7)
SHIFT_CHOICES_AFTER = timedelta(days=30)
SHIFT_CHOICES_MAX = 300


def _fill_choices(form: AnnouncementForm, wanted_shift: int | None = None) -> None:
    anyone = ("", _("Anyone"))
    courthouses = db.session.scalars(
        select(Courthouse).where(Courthouse.active.is_(True)).order_by(Courthouse.name)
    ).all()
    form.courthouse.choices = [anyone] + [(str(c.id), c.name) for c in courthouses]
    form.language.choices = [anyone] + language_choices()
    trainings = db.session.scalars(select(Training).order_by(Training.name)).all()
    form.training.choices = [anyone] + [(str(t.id), t.name) for t in trainings]
    now = utcnow()
    shifts = list(
        db.session.scalars(
            select(Shift)
            .where(
                Shift.status != ShiftStatus.CANCELLED,
                Shift.starts_at >= now - SHIFT_CHOICES_BEFORE,
                Shift.starts_at <= now + SHIFT_CHOICES_AFTER,
            )
            .order_by(Shift.starts_at, Shift.id)
            .limit(SHIFT_CHOICES_MAX)
        )
    )
    if wanted_shift and wanted_shift not in {s.id for s in shifts}:
        shift = db.session.get(Shift, wanted_shift)
        shifts += [shift] if shift is not None else []
    form.shift.choices = [("", _("No shift: use the filters above"))] + [(str(s.id), s.short_title) for s in shifts]


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _audience(form: AnnouncementForm) -> services.Audience:
    return services.Audience(
        courthouse_id=_number(form.courthouse.data),
        language=form.language.data or None,
        training_id=_number(form.training.data),
        on_call=bool(form.on_call.data),
        shift_id=_number(form.shift.data),
    )


def _digest(form: AnnouncementForm) -> str:
    fields = [form.subject.data, form.body.data, form.courthouse.data, form.language.data, form.training.data]
    fields += [bool(form.on_call.data), form.shift.data, form.token.data]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


def _page(form: AnnouncementForm, preview: dict | None = None, status: int = 200):
    return render_template("announcements/new.html", form=form, preview=preview), status


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new():
    form = AnnouncementForm()
    _fill_choices(form, _number(request.args.get("shift")) or _number(form.shift.data))
    if request.method == "GET":
        form.token.data = secrets.token_urlsafe(24)
        form.shift.data = request.args.get("shift", "") if _number(request.args.get("shift")) else ""
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=400)
    if not services._TOKEN.match(form.token.data or ""):
        form.token.data = secrets.token_urlsafe(24)
    audience = _audience(form)
    wants_send = "send" in request.form
    try:
        if wants_send and form.previewed.data == _digest(form):
            announcement, sent_now = services.send_announcement(
                current_user, form.subject.data, form.body.data, audience, form.token.data
            )
            if sent_now:
                count = announcement.recipient_count
                flash(ngettext("Sent to %(num)d person.", "Sent to %(num)d people.", count), "success")
            else:
                flash(_("This announcement was already sent; it was not sent again."), "info")
            return redirect(url_for("announcements.show", announcement_id=announcement.id))
        count = services.count_recipients(audience)
    except DomainError as error:
        mark_for_rollback()
        attach_error(form, error)
        return _page(form, status=400)
    if wants_send:
        form.form_errors.append(_("The announcement changed after its preview. Check the preview, then send."))
    form.previewed.data = _digest(form)
    preview = {
        "subject": form.subject.data.strip(),
        "body": form.body.data.strip(),
        "count": count,
        "audience": services.describe(audience),
    }
    return _page(form, preview)


@bp.route("")
@coordinator_required
def index():
    before_id = request.args.get("before", type=int)
    sent = services.list_sent(before_id, limit=services.PAGE_SIZE + 1)
    page = sent[: services.PAGE_SIZE]
    return render_template(
        "announcements/index.html",
        announcements=page,
        next_before=page[-1].id if len(sent) > services.PAGE_SIZE else None,
    )


@bp.route("/<int:announcement_id>")
def show(announcement_id: int):
    try:
        announcement = services.readable(current_user, announcement_id)
    except NotFound:
        abort(404)
    return render_template("announcements/show.html", announcement=announcement)
