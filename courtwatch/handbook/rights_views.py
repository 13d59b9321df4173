"""The know-your-rights card: shown to anyone (``home.rights`` at /rights), edited by admins.

The card is plain server-rendered HTML with no script and nothing personal in it, so the app's
offline worker can keep a copy for the basement with no signal, and ``@media print`` fits it on
one page. It is public: a volunteer whose session ran out still has it, and it is the same
text a campaign hands out on paper. The language is the interface's (Spanish for a Spanish
user); ``?lang=xx`` shows another translation, e.g. to hand the phone to someone.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.auth.access import admin_required
from courtwatch.auth.languages import LANGUAGES, language_name
from courtwatch.errors import DomainError
from courtwatch.forms import ActionForm, attach_error
from courtwatch.handbook import rights
from courtwatch.handbook.forms import RightsCardForm
from courtwatch.handbook.markdown import render_markdown
from courtwatch.home.templating import current_locale
from courtwatch.web import mark_for_rollback

bp = Blueprint("rights_admin", __name__, url_prefix="/rights")

# Shared by everyone, nothing personal: any cache may keep it, as long as it asks again when online.
SHAREABLE = "no-cache"


def show_card():
    """The body of ``home.rights``."""
    wanted = request.args.get("lang", "")
    locale = wanted if wanted in LANGUAGES else current_locale()
    card = rights.card_for(locale)
    response = render_template(
        "handbook/rights.html",
        card=card,
        html=render_markdown(card.body),
        wanted=locale,
        locales=rights.available_locales(),
        own_name=own_language_name,
    )
    return response, 200, {"Cache-Control": SHAREABLE}


def own_language_name(code: str) -> str:
    """A language in its own words ("Español", "Português"): the switch is for the reader of
    that language, who may not read the interface's."""
    try:
        name = Locale.parse(code).get_display_name(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return (name[:1].upper() + name[1:]) if name else language_name(code)


@bp.route("/edit", methods=["GET", "POST"])
@admin_required
def edit():
    locale = request.values.get("locale") or request.args.get("lang") or current_locale()
    if locale not in LANGUAGES:
        locale = "en"
    if request.method == "GET":
        # A new translation starts from the English text, to translate in place.
        form = RightsCardForm(locale=locale, body=rights.card_for(locale).body)
        return _render_edit(form, preview=None)
    form = RightsCardForm()
    if not form.validate_on_submit():
        return _render_edit(form, preview=None, status=422)
    if request.form.get("action") == "preview":
        return _render_edit(form, preview=render_markdown(form.body.data))
    try:
        rights.save_card(current_user, form.locale.data, form.body.data)
    except DomainError as error:
        attach_error(form, error)
        return _render_edit(form, preview=None, status=422)
    flash(_("The know-your-rights card is saved."), "info")
    return redirect(url_for("home.rights", lang=form.locale.data))


@bp.route("/reset", methods=["POST"])
@admin_required
def reset():
    locale = request.form.get("locale", "")
    if not ActionForm().validate_on_submit() or locale not in LANGUAGES:
        return redirect(url_for("rights_admin.edit"))
    if rights.reset_card(current_user, locale):
        flash(_("Back to the original text (or the translation is removed)."), "info")
    return redirect(url_for("home.rights", lang=locale))


def _render_edit(form, preview, status: int = 200):
    if status >= 400:
        mark_for_rollback()
    return render_template(
        "handbook/rights_edit.html",
        form=form,
        preview=preview,
        locales=rights.available_locales(),
        language_names={code: str(name) for code, name in LANGUAGES.items()},
    ), status
