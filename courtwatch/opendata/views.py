"""The public open-data page, its embeddable tables and charts, and the admin's publication settings.

Public routes answer 404 while the campaign does not publish. They carry a ``frame-ancestors``
allow-list from the settings (only these routes: every other page stays unframeable), ETags, and
cache headers: the embeds and charts hold no cookie-dependent content and may be cached by
anyone; the full page carries the language switcher (a form with a CSRF token), so it is
revalidated by the browser instead.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courtwatch.api import http, tokens
from courtwatch.api.dictionary import INCIDENT_FIELDS, SUMMARY_FIELDS
from courtwatch.auth.access import admin_required, public
from courtwatch.errors import DomainError
from courtwatch.extensions import limiter
from courtwatch.forms import attach_error
from courtwatch.opendata.cache import published_numbers
from courtwatch.opendata.forms import SECTION_LABELS, SettingsForm, TokenForm
from courtwatch.opendata.publication import resolve_period
from courtwatch.opendata.settings import publication_settings, update_settings
from courtwatch.web import mark_for_rollback

bp = Blueprint("opendata", __name__)


def _public_limit() -> str:
    return current_app.config["OPENDATA_RATE_LIMIT"]


def _published():
    settings = publication_settings()
    if not settings.enabled:
        abort(404)
    return settings


def _publication(settings):
    """The publication for ?from=&to=, or (None, error) to show next to the period form."""
    try:
        period = resolve_period(settings, request.args.get("from"), request.args.get("to"))
    except DomainError as error:
        return None, error
    return published_numbers(settings, period), None


def _framed(response: Response, settings, *, shared_cache: bool) -> Response:
    http.frame_policy(response, settings.origin_list)
    response = http.conditional(response, public=shared_cache)
    if not shared_cache:
        response.vary.add("Cookie")
    return response


@bp.route("/open-data")
@public
@limiter.limit(_public_limit, key_func=lambda: "opendata-public", scope="opendata")
def page():
    settings = _published()
    publication, error = _publication(settings)
    html = render_template(
        "opendata/page.html",
        settings=settings,
        publication=publication,
        error=error,
        section_labels=SECTION_LABELS,
        period_args=_period_args(publication),
    )
    return _framed(Response(html, status=400 if error else 200), settings, shared_cache=False)


@bp.route("/open-data/embed/<section>")
@public
@limiter.limit(_public_limit, key_func=lambda: "opendata-public", scope="opendata")
def embed(section: str):
    settings = _published()
    publication, error = _publication(settings)
    if error is not None or section not in publication.tables:
        abort(404)
    html = render_template(
        "opendata/embed.html",
        settings=settings,
        publication=publication,
        table=publication.tables[section],
        title=SECTION_LABELS[section],
        period_args=_period_args(publication),
    )
    return _framed(Response(html), settings, shared_cache=True)


@bp.route("/open-data/charts/<section>.svg")
@public
@limiter.limit(_public_limit, key_func=lambda: "opendata-public", scope="opendata")
def chart(section: str):
    from courtwatch.opendata.charts import table_chart  # matplotlib loads only in processes that draw

    settings = _published()
    publication, error = _publication(settings)
    if error is not None or section not in publication.tables:
        abort(404)
    svg = table_chart(publication.tables[section], str(SECTION_LABELS[section]))
    return _framed(Response(svg, mimetype="image/svg+xml"), settings, shared_cache=True)


@bp.route("/open-data/dictionary")
@public
def data_dictionary():
    settings = _published()
    html = render_template("opendata/dictionary.html", summary_fields=SUMMARY_FIELDS, incident_fields=INCIDENT_FIELDS)
    return _framed(Response(html), settings, shared_cache=False)


def _period_args(publication) -> dict:
    if publication is None:
        return {}
    return {"from": publication.period.first_month, "to": publication.period.last_month}


# ---------------------------------------------------------------------------- admin
def _settings_form(settings, formdata=None) -> SettingsForm:
    form = SettingsForm(formdata=formdata)
    if formdata is None:
        for name in (
            "enabled",
            "title",
            "introduction",
            "threshold",
            "published_from",
            "date_precision",
            "frame_ancestors",
        ):
            getattr(form, name).data = getattr(settings, name)
        form.sections.data = settings.section_list
    return form


def _admin_page(form, token_form, status=200):
    return render_template(
        "opendata/admin.html",
        form=form,
        token_form=token_form,
        tokens=tokens.list_tokens(),
        settings=publication_settings(),
    ), status


@bp.route("/admin/open-data", methods=["GET", "POST"])
@admin_required
def admin():
    settings = publication_settings()
    if request.method == "GET":
        return _admin_page(_settings_form(settings), TokenForm(formdata=None))
    form = _settings_form(settings, request.form)
    if form.validate():
        try:
            update_settings(
                current_user,
                enabled=form.enabled.data,
                title=form.title.data,
                introduction=form.introduction.data,
                sections=form.sections.data or [],
                threshold=form.threshold.data,
                published_from=form.published_from.data or "",
                date_precision=form.date_precision.data,
                frame_ancestors=form.frame_ancestors.data or "",
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Open-data settings saved."), "success")
            return redirect(url_for("opendata.admin"))
    mark_for_rollback()
    return _admin_page(form, TokenForm(formdata=None), 422)


@bp.route("/admin/open-data/tokens", methods=["POST"])
@admin_required
def issue_token():
    token_form = TokenForm(request.form)
    if token_form.validate():
        try:
            token, plaintext = tokens.create_token(
                current_user, label=token_form.label.data, scope=token_form.scope.data
            )
        except DomainError as error:
            attach_error(token_form, error)
        else:
            response = Response(
                render_template(
                    "opendata/token_created.html",
                    token=token,
                    plaintext=plaintext,
                    api_url=url_for("api.incidents", _external=True),
                )
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    mark_for_rollback()
    return _admin_page(_settings_form(publication_settings()), token_form, 422)


@bp.route("/admin/open-data/tokens/<int:token_id>/revoke", methods=["POST"])
@admin_required
def revoke_token(token_id: int):
    try:
        token = tokens.revoke_token(current_user, token_id)
    except DomainError:
        abort(404)
    flash(_("Token %(prefix)s… (%(label)s) revoked.", prefix=token.prefix, label=token.label), "success")
    return redirect(url_for("opendata.admin"))
