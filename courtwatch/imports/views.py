"""Coordinators' calendar pages: sources and their sync status, upload -> map columns -> preview ->
commit, and subscriptions. Nothing is written to hearings before the commit button.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.auth.access import coordinator_required
from courtwatch.courts.models import Courthouse
from courtwatch.courts.services import get_courthouse, list_courthouses
from courtwatch.db import db
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import ActionForm, attach_error
from courtwatch.imports import held_plans, services
from courtwatch.imports import pending as pending_store
from courtwatch.imports.forms import SubscribeForm, UploadForm, courthouse_choices, mapping_form
from courtwatch.imports.isolation import failure_message, forget_parses
from courtwatch.imports.mapping import FIELDS, check_mapping
from courtwatch.imports.sync import subscribe, sync_source
from courtwatch.imports.tables import calendar_kind

bp = Blueprint("imports", __name__, url_prefix="/calendars")


def _forms(upload=None, subscription=None):
    courthouses = list_courthouses(active_only=True)
    upload = upload or UploadForm(prefix="upload")
    subscription = subscription or SubscribeForm(prefix="subscribe")
    upload.courthouse.choices = courthouse_choices(courthouses, allow_all=True)
    subscription.courthouse.choices = courthouse_choices(courthouses, allow_all=False)
    if not upload.is_submitted() and courthouses and request.args.get("courthouse", type=int):
        upload.courthouse.data = subscription.courthouse.data = request.args.get("courthouse", type=int)
    return upload, subscription


def _render_index(upload=None, subscription=None, status=200):
    upload, subscription = _forms(upload, subscription)
    return render_template(
        "imports/index.html",
        sources=services.list_sources(),
        runs=services.recent_runs(),
        held=held_plans.held_sources(),
        upload=upload,
        subscription=subscription,
        action_form=ActionForm(),
    ), status


@bp.route("")
@coordinator_required
def index():
    return _render_index()


@bp.route("/upload", methods=["POST"])
@coordinator_required
def upload():
    form, _subscription = _forms(upload=UploadForm(prefix="upload"))
    if form.validate_on_submit():
        courthouse_id = form.courthouse.data or None
        storage = form.file.data
        try:
            source_name = (form.source_name.data or "").strip() or (storage.filename or "calendar")[:200]
            pending = pending_store.create_pending(
                storage.stream,
                user_id=current_user.id,
                filename=storage.filename or "calendar",
                courthouse_id=courthouse_id,
                source_name=source_name,
                full=bool(form.full.data),
                kind_of=calendar_kind,
            )
            if pending.kind == "ics" and courthouse_id is None:
                pending_store.discard_pending(pending)
                raise DomainError(_("Choose the courthouse this calendar belongs to."), field="courthouse")
        except DomainError as error:
            attach_error(form, error)
        else:
            _forget_previous_upload()
            session[PENDING_KEY] = pending.token
            following = url_for("imports.preview" if pending.kind == "ics" else "imports.mapping")
            if request.headers.get("X-Upload-Progress"):
                # The page's script sent the file (to show its progress) and goes on itself.
                return jsonify(location=following)
            return redirect(following)
    return _render_index(upload=form, status=422)


# The session key holding the token of the upload waiting for its commit (one per session).
PENDING_KEY = "import_pending"


def _forget_previous_upload() -> None:
    """A new upload replaces the one waiting in this session, whose file is removed."""
    token = session.pop(PENDING_KEY, None)
    if token:
        try:
            pending_store.discard_pending(pending_store.load_pending(token, current_user.id))
        except NotFound:
            pass
        forget_parses(token)


def _pending_or_404():
    try:
        return pending_store.load_pending(session.get(PENDING_KEY, ""), current_user.id)
    except NotFound as error:
        flash(error.message, "error")
        abort(404)


@bp.route("/pending/columns", methods=["GET", "POST"])
@coordinator_required
def mapping():
    pending = _pending_or_404()
    if pending.kind == "ics":
        return redirect(url_for("imports.preview"))
    try:
        headers, rows, notes, guessed = services.table_preview(pending.path, pending.kind)
    except DomainError as error:
        pending_store.discard_pending(pending)
        flash(error.message, "error")
        return _render_index(status=422)
    remembered = pending.mapping or services.remembered_mapping(
        services.find_source(pending.courthouse_id, pending.source_name)
    )
    initial = remembered["fields"] if remembered else guessed
    key = remembered.get("key", "case_date") if remembered else "case_date"
    posted = request.method == "POST"
    # On a post, a field the browser did not send means "not in this file", not "the guess".
    form = mapping_form(headers, {} if posted else initial, key, formdata=request.form if posted else None)
    if request.method == "POST" and form.validate_on_submit():
        chosen = {
            "fields": {name: getattr(form, name).data for name in FIELDS if getattr(form, name).data},
            "key": form.key.data,
        }
        try:
            check_mapping(chosen, headers, has_courthouse=pending.courthouse_id is not None)
        except DomainError as error:
            attach_error(form, error)
        else:
            pending.mapping = chosen
            pending.save()
            return redirect(url_for("imports.preview"))
    return render_template(
        "imports/mapping.html",
        pending=pending,
        form=form,
        headers=headers,
        rows=rows,
        notes=notes,
        remembered=bool(remembered),
        fields=FIELDS,
        courthouse=services.pending_courthouse(pending),
    ), 422 if request.method == "POST" else 200


def _zones(summary) -> dict:
    ids = {s.courthouse_id for group in summary.samples.values() for s in group}
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(db.select(Courthouse).where(Courthouse.id.in_(ids)))}


@bp.route("/pending")
@coordinator_required
def preview():
    """The plan of the upload, once its background read is done; until then a page that polls.

    The read runs in its own limited process (imports.isolation). The request waits for it up to
    IMPORT_PREVIEW_WAIT_SECONDS, so a usual file shows its preview at once, and a large one shows
    its progress instead of holding the worker past gunicorn's timeout.
    """
    pending = _pending_or_404()
    if pending.kind != "ics" and not pending.mapping:
        return redirect(url_for("imports.mapping"))
    try:
        state = services.wait_for_read(pending, float(current_app.config["IMPORT_PREVIEW_WAIT_SECONDS"]))
        if state["state"] not in ("done", "failed"):
            return render_template("imports/reading.html", pending=pending, state=state, refresh=READING_REFRESH)
        if state["state"] == "failed":
            raise failure_message(state)
        summary = services.preview_pending(pending, parsed=state)
    except DomainError as error:
        return preview_page(pending, services.pending_courthouse(pending), error=error.message), 422
    return preview_page(pending, services.pending_courthouse(pending), summary=summary)


def preview_page(pending, courthouse, *, summary=None, error: str | None = None, **urls) -> str:
    """The plan page, for an upload or a held sync alike (``urls``: its commit and discard
    addresses when they are not the upload's own); ``error`` instead of a plan when reading failed."""
    return render_template(
        "imports/preview.html",
        pending=pending,
        summary=summary,
        error=error,
        courthouses=_zones(summary) if summary is not None else {},
        courthouse=courthouse,
        action_form=ActionForm(),
        **urls,
    )


# Seconds between two looks of the "reading your file" page.
READING_REFRESH = 2


def _flash_counts(counts: dict) -> None:
    flash(
        _(
            "Imported: %(added)s added, %(changed)s changed, %(cancelled)s cancelled, %(unchanged)s unchanged, "
            "%(rejected)s rejected.",
            **counts,
        ),
        "info",
    )


@bp.route("/pending/commit", methods=["POST"])
@coordinator_required
def commit():
    if not ActionForm().validate_on_submit():
        abort(400)
    token = session.get(PENDING_KEY, "")
    # A second click (or a retried request) shows what the first one did.
    counts = pending_store.load_result(token, current_user.id)
    if counts is not None:
        forget_parses(token)  # this host's read of a file committed here or on another host
        _flash_counts(counts)
        return redirect(url_for("imports.index"))
    pending = _pending_or_404()
    if not pending_store.claim_pending(pending):
        counts = pending_store.load_result(token, current_user.id, wait_seconds=20)
        if counts is not None:
            forget_parses(token)
            _flash_counts(counts)
        else:
            flash(_("This upload is being imported; the result will show on this page."), "info")
        return redirect(url_for("imports.index"))
    try:
        summary, source = services.commit_pending(
            current_user, pending, confirm_cancellations=bool(request.form.get("confirm_cancellations"))
        )
    except DomainError as error:
        pending_store.release_claim(pending)
        flash(error.message, "error")
        return redirect(url_for("imports.preview"))
    if summary.held:
        pending_store.release_claim(pending)
        flash(
            _("Nothing was imported: tick the box to confirm the %(n)s cancellations first.", n=summary.cancelled),
            "error",
        )
        return redirect(url_for("imports.preview"))
    counts = {
        "added": summary.added,
        "changed": summary.changed,
        "cancelled": summary.cancelled,
        "unchanged": summary.unchanged,
        "rejected": summary.rejected,
    }
    pending_store.save_result(token, current_user.id, counts)
    _flash_counts(counts)
    return redirect(url_for("imports.index"))


@bp.route("/pending/discard", methods=["POST"])
@coordinator_required
def discard():
    pending = _pending_or_404()
    if ActionForm().validate_on_submit():
        pending_store.discard_pending(pending)
        forget_parses(pending.token)
        session.pop(PENDING_KEY, None)
        flash(_("Upload discarded; nothing was imported."), "info")
    return redirect(url_for("imports.index"))


@bp.route("/subscribe", methods=["POST"])
@coordinator_required
def subscribe_view():
    _upload, form = _forms(subscription=SubscribeForm(prefix="subscribe"))
    if form.validate_on_submit():
        try:
            courthouse = get_courthouse(form.courthouse.data)
            source = subscribe(current_user, courthouse, form.name.data, form.url.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            sync_source(source, current_user)
            if source.last_status == "error":
                flash(_("Subscribed, but the first sync failed: %(error)s", error=source.last_error), "error")
            else:
                flash(_("Subscribed and synced."), "info")
            return redirect(url_for("imports.index"))
    return _render_index(subscription=form, status=422)
