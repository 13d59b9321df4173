"""The start page: what a person should do next, by role and account state."""

from flask import Blueprint, Response, redirect, render_template, url_for
from flask_login import current_user

from courtwatch import signals
from courtwatch.auth.access import needs_second_factor, public
from courtwatch.handbook.rights_views import show_card

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if not current_user.is_approved:
        return redirect(url_for("account.show"))
    if needs_second_factor(current_user):
        # @public skips enforce_access, so the staff second-factor gate is repeated here:
        # the start page's cards show rosters and reports to verify.
        return redirect(url_for("account.two_factor"))
    # Other areas contribute the cards ("your next shift", "reports to verify") through a signal.
    return render_template("home/index.html", cards=signals.collect(signals.home_cards))


@bp.route("/rights")
@public
def rights():
    """The know-your-rights card: public, one tap from the start page and the menu."""
    return show_card()


@bp.route("/robots.txt")
@public
def robots_txt():
    # Feeds and everything else stay out of search engines.
    return Response("User-agent: *\nDisallow: /\n", mimetype="text/plain")


@bp.route("/healthz")
@public
def healthz():
    return Response("ok\n", mimetype="text/plain")
