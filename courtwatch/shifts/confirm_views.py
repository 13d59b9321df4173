"""The "Still coming?" link pages (``/c/<token>``), opened from an SMS, a push or an email.

Public on purpose: the signed link is the proof, and a phone in a pocket may have no session.
A GET only shows one button (SMS apps and link previewers fetch links; a fetch must not answer
for the volunteer); the POST does it. The page names the courthouse and time, as the SMS did,
and never anything of the hearing or the person accompanied. A bad or dead link is a clear page
(400 or 410), never an error.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template
from flask_babel import gettext as _

from courtwatch.auth.access import public
from courtwatch.errors import DomainError
from courtwatch.home.offline import never_store
from courtwatch.shifts import claims, confirmations

bp = Blueprint("shift_confirm", __name__, url_prefix="/c")

DONE_MESSAGES = {
    "yes": lambda: _("Thank you. We have noted that you are coming."),
    "release": lambda: _("You released this shift. Thank you for telling us in time."),
    "ask": lambda: _("We told the coordinators. You stay on the shift until one of them takes you off."),
}


def _page(token: str, *, answers=(), signup=None, message=None, error=None, offer_ask=False, status=200):
    never_store()  # a link page is for this moment only: no-store, and the worker keeps no copy
    return make_response(
        render_template(
            "shifts/confirm_link.html",
            token=token,
            answers=answers,
            signup=signup,
            shift=signup.shift if signup is not None else None,
            answered=confirmations.answer_state(signup) if signup is not None else None,
            message=message,
            error=error,
            offer_ask=offer_ask,
        ),
        status,
    )


def _show(token: str, answers):
    try:
        signup = confirmations.signup_for_token(token)
    except confirmations.LinkExpired as error:
        return _page(token, error=error, status=410)
    except DomainError as error:
        return _page(token, error=error, status=400)
    return _page(token, answers=answers, signup=signup)


@bp.route("/<token>")
@public
def choose(token: str):
    """Both answers, for the push notification's tap."""
    return _show(token, confirmations.ANSWERS)


@bp.route("/<token>/<answer>")
@public
def answer(token: str, answer: str):
    if answer not in confirmations.ANSWERS:
        abort(404)
    return _show(token, (answer,))


@bp.route("/<token>/<answer>", methods=["POST"])
@public
def submit(token: str, answer: str):
    if answer not in (*confirmations.ANSWERS, "ask"):
        abort(404)
    try:
        if answer == "ask":
            signup = confirmations.ask_coordinator_by_link(token)
        else:
            signup = confirmations.answer_by_link(token, answer)
    except claims.ReleaseTooLate as error:
        signup = confirmations.signup_for_token(token)
        return _page(token, signup=signup, error=error, offer_ask=True, status=409)
    except confirmations.LinkExpired as error:
        return _page(token, error=error, status=410)
    except confirmations.AlreadyAnswered as error:
        return _page(token, signup=confirmations.signup_for_token(token), error=error, status=409)
    except DomainError as error:
        return _page(token, error=error, status=400)
    return _page(token, signup=signup, message=DONE_MESSAGES[answer]())
