"""The page a "you are asked first" email links to: the shift, a claim button and "No thanks".

Routes on the shifts blueprint; only the volunteer the offer was made to can open it (anyone else
gets 404, so offer ids reveal nothing). Claiming goes through the ordinary claim, under its lock.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.errors import NotFound
from courtwatch.forms import ActionForm
from courtwatch.shifts import claims, offers
from courtwatch.shifts.page_kit import ShiftPageKit
from courtwatch.shifts.views import _trained_ids, bp


def _own_offer_or_404(offer_id: int):
    try:
        return offers.get_own_offer(current_user, offer_id)
    except NotFound:
        abort(404)


@bp.route("/shifts/offers/<int:offer_id>")
def offer(offer_id: int):
    own = _own_offer_or_404(offer_id)
    shift = own.shift
    return render_template(
        "shifts/offer.html",
        offer=own,
        holding=offers.is_holding(own),
        shift=shift,
        signup=claims.live_signup(shift.id, current_user.id),
        trained=_trained_ids([shift]),
        my_languages=set(current_user.language_codes),
        kit=ShiftPageKit(),
    )


@bp.route("/shifts/offers/<int:offer_id>/decline", methods=["POST"])
def decline(offer_id: int):
    own = _own_offer_or_404(offer_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    offers.decline_offer(current_user, own.id)
    flash(_("Thank you for telling us. The shift is open to other volunteers."), "info")
    return redirect(url_for("shifts.index"))
