"""Training pages: /training lists them by training, /training/<slug> shows one with its
"I have read this" button; coordinators write and edit pages (Markdown, with a preview) and say
whether a training's pages must all be read before it is recorded for someone.

Plain server-rendered HTML with no script, so the app's offline worker can keep a copy.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.auth import services as auth_services
from courtwatch.auth.access import coordinator_required
from courtwatch.auth.models import Training
from courtwatch.db import db
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import ActionForm, attach_error
from courtwatch.handbook import training as pages
from courtwatch.handbook.forms import PagesRequiredForm, TrainingPageForm
from courtwatch.handbook.markdown import render_markdown
from courtwatch.web import mark_for_rollback

bp = Blueprint("training", __name__, url_prefix="/training")

# Nothing of other people on a volunteer's view: a cache may keep it, but must ask again online.
REVALIDATE = {"Cache-Control": "no-cache"}


def _page_or_404(slug: str):
    try:
        return pages.get_page(slug)
    except NotFound:
        abort(404)


def _ensure_campaign_trainings() -> list[Training]:
    """The trainings to write pages for: those recorded so far, and always the accompaniment one
    (created here if no shift or record has needed it yet, as accompaniment shifts do)."""
    auth_services.get_or_create_training(current_app.config["ACCOMPANIMENT_TRAINING"])
    return auth_services.list_trainings()


@bp.route("")
def index():
    groups = pages.list_trainings_with_pages()
    states = {}
    for _training, training_pages in groups:
        for state in pages.read_states(current_user, training_pages):
            states[state.page.id] = state
    if not current_user.is_staff:
        groups = [(training, training_pages) for training, training_pages in groups if training_pages]
    return (
        render_template(
            "handbook/training_index.html", groups=groups, states=states, settings_form=PagesRequiredForm()
        ),
        200,
        REVALIDATE,
    )


@bp.route("/<slug>")
def page(slug: str):
    training_page = _page_or_404(slug)
    state = pages.read_states(current_user, [training_page])[0]
    readers = pages.readers(training_page) if current_user.is_staff else None
    return (
        render_template(
            "handbook/training_page.html",
            page=training_page,
            html=render_markdown(training_page.body),
            state=state,
            readers=readers,
        ),
        200,
        REVALIDATE,
    )


@bp.route("/<slug>/read", methods=["POST"])
def mark_read(slug: str):
    training_page = _page_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    pages.mark_read(current_user, training_page)
    flash(_("Marked as read. Thank you."), "info")
    return redirect(url_for("training.page", slug=slug))


def _render_form(form, training_page=None, preview=None, status: int = 200):
    if status >= 400:
        mark_for_rollback()
    return render_template("handbook/training_form.html", form=form, page=training_page, preview=preview), status


def _save(form, training_page=None):
    form.set_trainings(_ensure_campaign_trainings())
    if not form.validate_on_submit():
        return _render_form(form, training_page, status=422)
    if request.form.get("action") == "preview":
        return _render_form(form, training_page, preview=render_markdown(form.body.data))
    try:
        saved = pages.save_page(
            current_user,
            training_id=form.training_id.data,
            title=form.title.data,
            slug=form.slug.data or "",
            body=form.body.data,
            page=training_page,
        )
    except DomainError as error:
        attach_error(form, error)
        return _render_form(form, training_page, status=422)
    flash(_("Training page saved."), "info")
    return redirect(url_for("training.page", slug=saved.slug))


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def new():
    if request.method == "POST":
        return _save(TrainingPageForm())
    form = TrainingPageForm(training_id=request.args.get("training", type=int))
    form.set_trainings(_ensure_campaign_trainings())
    return _render_form(form)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(slug: str):
    training_page = _page_or_404(slug)
    if request.method == "POST":
        return _save(TrainingPageForm(), training_page)
    form = TrainingPageForm(obj=training_page)
    form.set_trainings(_ensure_campaign_trainings())
    return _render_form(form, training_page)


@bp.route("/<slug>/delete", methods=["POST"])
@coordinator_required
def delete(slug: str):
    training_page = _page_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    pages.delete_page(current_user, training_page)
    flash(_("Training page deleted."), "info")
    return redirect(url_for("training.index"))


@bp.route("/settings/<int:training_id>", methods=["POST"])
@coordinator_required
def settings(training_id: int):
    training = db.session.get(Training, training_id)
    if training is None:
        abort(404)
    form = PagesRequiredForm()
    if not form.validate_on_submit():
        abort(400)
    pages.set_pages_required(current_user, training, bool(form.required.data))
    if training.pages_required:
        flash(_("%(name)s is recorded only for people who have read all its pages.", name=training.name), "info")
    else:
        flash(_("%(name)s can be recorded without its pages read.", name=training.name), "info")
    return redirect(url_for("training.index"))
