"""Coordinators' bulk courthouse import: upload -> (columns) -> preview -> commit.

Routes on the courts blueprint. The uploaded file waits under a server-chosen name in the calendar
importer's pending store (its token in the session, never in a URL); nothing is written before
the commit, which plans again from the file and is claimed once, so a double click imports once.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.auth.access import coordinator_required
from courtwatch.courts.courthouse_files import (
    BUILTIN_MAPPINGS,
    FIELDS,
    courthouse_file_kind,
    detect_builtin,
    guess_fields,
    read_courthouse_file,
)
from courtwatch.courts.courthouse_import import (
    CourthouseSource,
    apply_courthouse_plan,
    check_mapping,
    plan_courthouse_import,
)
from courtwatch.courts.courthouse_zones import ZONE_SOURCES
from courtwatch.courts.forms import AUTO_MAPPING, CUSTOM_MAPPING, CourthouseUploadForm, courthouse_mapping_form
from courtwatch.courts.views import bp
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import ActionForm, attach_error
from courtwatch.imports import pending as pending_store

PENDING_KEY = "courthouse_import_pending"  # the tokens of the files waiting for their commit
REFUSED_KIND = "refused"
PREVIEW_ROWS = 500
MAX_FILES = 20


def _kind(filename: str, head: bytes) -> str:
    return courthouse_file_kind(filename, head) or REFUSED_KIND


def _read(pending):
    return read_courthouse_file(pending.path, pending.kind, current_app.config["IMPORT_MAX_BYTES"])


def _render_upload(form, status=200):
    return render_template("courts/import_upload.html", form=form, mappings=BUILTIN_MAPPINGS), status


@bp.route("/import", methods=["GET", "POST"])
@coordinator_required
def import_upload():
    form = CourthouseUploadForm()
    if not form.validate_on_submit():
        return _render_upload(form, 422 if form.is_submitted() else 200)
    files = [storage for storage in form.file.data if storage]
    waiting = []
    try:
        if len(files) > MAX_FILES:
            raise DomainError(_("Upload at most %(n)s files at once.", n=MAX_FILES), field="file")
        for storage in files:
            waiting.append(_wait(storage, form.mapping.data, several=len(files) > 1))
    except DomainError as error:
        for pending in waiting:
            pending_store.discard_pending(pending)
        attach_error(form, error)
        return _render_upload(form, 422)
    _forget_previous_upload()
    session[PENDING_KEY] = [pending.token for pending in waiting]
    if waiting[0].mapping is None:
        return redirect(url_for("courts.import_columns"))
    return redirect(url_for("courts.import_preview"))


def _wait(storage, choice: str, *, several: bool):
    """Keep one uploaded file, with the mapping it will be read with (None: the coordinator chooses)."""
    filename = storage.filename or "courthouses"
    pending = pending_store.create_pending(
        storage.stream,
        user_id=current_user.id,
        filename=filename,
        courthouse_id=None,
        source_name="courthouses",
        full=False,
        kind_of=_kind,
    )
    try:
        if pending.kind == REFUSED_KIND:
            raise DomainError(_("Upload a courthouse list as CSV, Excel (.xlsx) or JSON."), field="file")
        table = _read(pending)
        pending.mapping = _initial_mapping(choice, table.headers)
        if pending.mapping is not None:
            check_mapping(pending.mapping, table.headers)
        elif several:
            raise DomainError(_("This is not a list we know: upload it alone to choose its columns."), field="file")
    except DomainError as error:
        pending_store.discard_pending(pending)
        if several:
            raise DomainError(f"{pending.filename}: {error.message}", field="file") from None
        raise
    pending.save()
    return pending


def _initial_mapping(choice: str, headers: list[str]) -> dict | None:
    """The mapping to preview with, or None when the coordinator is to choose the columns."""
    if choice in BUILTIN_MAPPINGS:
        return {"builtin": choice}
    if choice == AUTO_MAPPING:
        builtin = detect_builtin(headers)
        return {"builtin": builtin.name} if builtin is not None else None
    assert choice == CUSTOM_MAPPING  # the form's choices allow nothing else
    return None


def _tokens() -> list[str]:
    tokens = session.get(PENDING_KEY) or []
    return tokens if isinstance(tokens, list) else []


def _forget_previous_upload() -> None:
    for token in session.pop(PENDING_KEY, None) or []:
        try:
            pending_store.discard_pending(pending_store.load_pending(token, current_user.id))
        except NotFound:
            pass


def _waiting_or_404() -> list:
    try:
        waiting = [pending_store.load_pending(token, current_user.id) for token in _tokens()]
    except NotFound as error:
        flash(error.message, "error")
        abort(404)
    if not waiting:
        flash(_("This upload is no longer waiting; upload the file again."), "error")
        abort(404)
    return waiting


@bp.route("/import/columns", methods=["GET", "POST"])
@coordinator_required
def import_columns():
    waiting = _waiting_or_404()
    if len(waiting) > 1:  # several files are all lists we know
        return redirect(url_for("courts.import_preview"))
    pending = waiting[0]
    try:
        table = _read(pending)
    except DomainError as error:
        pending_store.discard_pending(pending)
        flash(error.message, "error")
        return redirect(url_for("courts.import_upload"))
    chosen = pending.mapping or {}
    builtin = BUILTIN_MAPPINGS.get(chosen.get("builtin") or "")
    initial = builtin.fields if builtin else chosen.get("fields") or guess_fields(table.headers)
    key = chosen.get("key") or ("slug" if "slug" in initial else "name_city")
    posted = request.method == "POST"
    form = courthouse_mapping_form(table.headers, {} if posted else initial, key, request.form if posted else None)
    if posted and form.validate_on_submit():
        mapping = {
            "fields": {name: getattr(form, name).data for name in FIELDS if getattr(form, name).data},
            "key": form.key.data,
        }
        try:
            check_mapping(mapping, table.headers)
        except DomainError as error:
            attach_error(form, error)
        else:
            pending.mapping = mapping
            pending.save()
            return redirect(url_for("courts.import_preview"))
    return render_template(
        "courts/import_columns.html",
        pending=pending,
        form=form,
        headers=table.headers,
        rows=table.rows[:5],
        notes=table.notes,
        fields=FIELDS,
    ), 422 if posted else 200


def _plan(waiting):
    return plan_courthouse_import([CourthouseSource(p.filename, _read(p), p.mapping or {}) for p in waiting])


@bp.route("/import/preview")
@coordinator_required
def import_preview():
    waiting = _waiting_or_404()
    if any(not pending.mapping for pending in waiting):
        return redirect(url_for("courts.import_columns"))
    context = {"waiting": waiting, "action_form": ActionForm(), "fields": FIELDS, "zone_sources": ZONE_SOURCES}
    try:
        plan = _plan(waiting)
    except DomainError as error:
        return render_template("courts/import_preview.html", plan=None, error=error.message, **context), 422
    shown = [r for r in plan.rows if r.action != "unchanged"][:PREVIEW_ROWS]
    return render_template("courts/import_preview.html", plan=plan, shown=shown, error=None, **context)


def _flash_counts(counts: dict) -> None:
    flash(
        _(
            "Courthouses imported: %(added)s added, %(changed)s changed, %(unchanged)s unchanged, "
            "%(rejected)s rejected.",
            **counts,
        ),
        "info",
    )


@bp.route("/import/commit", methods=["POST"])
@coordinator_required
def import_commit():
    if not ActionForm().validate_on_submit():
        abort(400)
    # The first file's token stands for the upload: its claim is the lock, its result the answer.
    token = next(iter(_tokens()), "")
    counts = pending_store.load_result(token, current_user.id)
    if counts is not None:  # a second click shows what the first one did
        _flash_counts(counts)
        return redirect(url_for("courts.index"))
    waiting = _waiting_or_404()
    if not pending_store.claim_pending(waiting[0]):
        counts = pending_store.load_result(token, current_user.id, wait_seconds=20)
        if counts is not None:
            _flash_counts(counts)
        return redirect(url_for("courts.index"))
    try:
        counts = apply_courthouse_plan(current_user, _plan(waiting))
    except DomainError as error:
        pending_store.release_claim(waiting[0])
        flash(error.message, "error")
        return redirect(url_for("courts.import_preview"))
    pending_store.save_result(token, current_user.id, counts)
    for pending in waiting:  # the files go; the result stays for a second click
        pending_store.discard_pending(pending)
    _flash_counts(counts)
    return redirect(url_for("courts.index"))


@bp.route("/import/discard", methods=["POST"])
@coordinator_required
def import_discard():
    waiting = _waiting_or_404()
    if ActionForm().validate_on_submit():
        for pending in waiting:
            pending_store.discard_pending(pending)
        session.pop(PENDING_KEY, None)
        flash(_("Upload discarded; nothing was imported."), "info")
    return redirect(url_for("courts.index"))
