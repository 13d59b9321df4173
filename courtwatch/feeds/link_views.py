"""The "Calendar" card on /account: create a link (shown once), list, revoke, reset all.

Ordinary logged-in pages (CSRF-protected POSTs); only ``views.feed`` is token-authenticated.
The page that shows a new link sends ``Referrer-Policy: no-referrer`` and ``no-store``, loads
nothing from another host, and is the only place the full URL ever appears.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from courtwatch.auth.access import coordinator_required
from courtwatch.courts import services as court_services
from courtwatch.db import utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.feeds import services
from courtwatch.feeds.forms import CourthouseFeedForm, FeedLinkForm
from courtwatch.feeds.models import FeedScope
from courtwatch.feeds.shift_links import qr_svg
from courtwatch.forms import ActionForm, attach_error
from courtwatch.web import mark_for_rollback

bp = Blueprint("feed_links", __name__, url_prefix="/account/calendar")


def account_section() -> Markup | None:
    """The "Calendar" card on /account (the ``account_sections`` signal, see feeds.integration)."""
    if not current_user.is_authenticated or not current_user.is_approved:
        return None
    link_form = g.get("feed_link_form") or FeedLinkForm(formdata=None)
    courthouse_form = None
    if current_user.is_staff:
        courthouse_form = g.get("courthouse_feed_form") or CourthouseFeedForm(formdata=None)
        courthouse_form.set_courthouses(court_services.list_courthouses(active_only=True))
    tokens = services.list_live_tokens(current_user)
    return Markup(
        render_template(
            "feeds/account_section.html",
            tokens=tokens,
            link_form=link_form,
            courthouse_form=courthouse_form,
            now=utcnow(),
            FeedScope=FeedScope,
            format_timedelta=format_timedelta,
        )
    )


def _show_created(token, plaintext: str):
    response = Response(
        render_template(
            "feeds/created.html",
            token=token,
            url=services.feed_url(plaintext),
            webcal=services.webcal_url(plaintext),
            qr_svg=qr_svg(services.feed_url(plaintext)),
        )
    )
    # The page holds a capability URL: no referrer to anywhere, no copy in any cache.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("", methods=["GET"])
def index():
    """The calendar card on a page of its own: where revoking and fixing a typo land."""
    return render_template("feeds/index.html", section=account_section())


def _reshow_with_errors():
    mark_for_rollback()
    return render_template("feeds/index.html", section=account_section()), 422


@bp.route("/links", methods=["POST"])
def create_link():
    form = FeedLinkForm()
    if form.validate_on_submit():
        try:
            token, plaintext = services.create_token(current_user, label=form.label.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            return _show_created(token, plaintext)
    g.feed_link_form = form
    return _reshow_with_errors()


@bp.route("/courthouse-links", methods=["POST"])
@coordinator_required
def create_courthouse_link():
    form = CourthouseFeedForm()
    form.set_courthouses(court_services.list_courthouses(active_only=True))
    if form.validate_on_submit():
        try:
            if form.courthouse.data == "all":
                token, plaintext = services.create_token(current_user, label=form.label.data, scope=FeedScope.ALL)
            else:
                courthouse = court_services.get_courthouse(int(form.courthouse.data))
                token, plaintext = services.create_token(
                    current_user, label=form.label.data, scope=FeedScope.COURTHOUSE, courthouse=courthouse
                )
        except DomainError as error:
            attach_error(form, error)
        else:
            return _show_created(token, plaintext)
    g.courthouse_feed_form = form
    return _reshow_with_errors()


@bp.route("/links/<int:token_id>/revoke", methods=["POST"])
def revoke_link(token_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        token = services.get_own_token(current_user, token_id)
    except NotFound:
        abort(404)
    services.revoke_token(current_user, token)
    flash(_("The calendar link “%(label)s” no longer works.", label=token.label), "info")
    return redirect(url_for("feed_links.index"))


@bp.route("/reset", methods=["POST"])
def reset_links():
    if not ActionForm().validate_on_submit():
        abort(400)
    count = services.revoke_all(current_user, current_user)
    flash(_("All your calendar links are revoked (%(n)d). Create a new one for each calendar.", n=count), "info")
    return redirect(url_for("feed_links.index"))
