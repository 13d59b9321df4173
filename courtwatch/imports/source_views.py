"""Pages of one calendar source: sync now, pause or resume, and the review of a held update.

On the calendars blueprint (imports.views), in their own module so each file stays readable.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from courtwatch.auth.access import coordinator_required
from courtwatch.db import db
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import ActionForm
from courtwatch.imports import held_plans
from courtwatch.imports.background_sync import claim_sync, is_syncing, start_sync
from courtwatch.imports.models import CalendarSource, ImportRun
from courtwatch.imports.views import _flash_counts, bp, preview_page


def _source_or_404(source_id: int) -> CalendarSource:
    source = db.session.get(CalendarSource, source_id)
    if source is None:
        abort(404)
    return source


@bp.route("/sources/<int:source_id>/sync", methods=["POST"])
@coordinator_required
def sync_now(source_id: int):
    """Start the sync in the background and show its progress: the request never waits for the
    fetch and the read (imports.background_sync). A second click finds it under way."""
    source = _source_or_404(source_id)
    if not source.url or not ActionForm().validate_on_submit():
        abort(400)
    if claim_sync(source):
        # Committed before the sync starts: its own transaction and a second click must see it.
        db.session.commit()
        start_sync(source_id, current_user.id)
    return redirect(url_for("imports.sync_progress", source_id=source_id), 303)


@bp.route("/sources/<int:source_id>/sync")
@coordinator_required
def sync_progress(source_id: int):
    source = _source_or_404(source_id)
    if is_syncing(source):
        return render_template("imports/syncing.html", source=source, refresh=SYNC_REFRESH)
    run = db.session.scalar(
        select(ImportRun).where(ImportRun.source_id == source.id).order_by(ImportRun.id.desc()).limit(1)
    )
    if run is not None and source.last_synced_at is not None and run.created_at < source.last_synced_at:
        run = None  # an earlier run: this sync imported nothing (unchanged, held or failed)
    return render_template("imports/sync_result.html", source=source, run=run)


# Seconds between two looks of the "syncing" page.
SYNC_REFRESH = 2


@bp.route("/sources/<int:source_id>/pause", methods=["POST"])
@coordinator_required
def toggle_source(source_id: int):
    source = _source_or_404(source_id)
    if ActionForm().validate_on_submit():
        source.active = not source.active
    return redirect(url_for("imports.index"))


@bp.route("/sources/<int:source_id>/held")
@coordinator_required
def review_held(source_id: int):
    source = _source_or_404(source_id)
    pending = held_plans.held_plan(source)
    if pending is None:
        flash(_("This held update is no longer waiting."), "info")
        return redirect(url_for("imports.index"))
    discard_url = url_for("imports.discard_held", source_id=source.id)
    try:
        summary = held_plans.preview_held(source)
    except DomainError as error:
        return preview_page(pending, source.courthouse, error=error.message, discard_url=discard_url), 422
    summary.review_needed = True  # it was held: applying it is the confirmation
    commit_url = url_for("imports.apply_held", source_id=source.id)
    return preview_page(pending, source.courthouse, summary=summary, commit_url=commit_url, discard_url=discard_url)


@bp.route("/sources/<int:source_id>/held/apply", methods=["POST"])
@coordinator_required
def apply_held(source_id: int):
    source = _source_or_404(source_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not request.form.get("confirm_cancellations"):
        flash(_("Tick the box to confirm the cancellations first."), "error")
        return redirect(url_for("imports.review_held", source_id=source.id))
    try:
        summary = held_plans.apply_held(current_user, source)
    except (DomainError, NotFound) as error:
        flash(error.message, "error")
        return redirect(url_for("imports.index"))
    _flash_counts(
        {
            "added": summary.added,
            "changed": summary.changed,
            "cancelled": summary.cancelled,
            "unchanged": summary.unchanged,
            "rejected": summary.rejected,
        }
    )
    return redirect(url_for("imports.index"))


@bp.route("/sources/<int:source_id>/held/discard", methods=["POST"])
@coordinator_required
def discard_held(source_id: int):
    source = _source_or_404(source_id)
    if ActionForm().validate_on_submit():
        held_plans.discard_held(current_user, source)
        flash(_("The held update was discarded; nothing was changed."), "info")
    return redirect(url_for("imports.index"))
