"""``/api/v1``: the published summary (anyone, when the campaign publishes) and incident rows (partner token).

Views parse, call the services and wrap the answer with ETag, cache and CORS headers (http.py).
Every answer and error is JSON (or CSV), never an HTML page; no cookie is read or set. Rate limits
never key on the caller's address: the public limit is shared, the partner limit is per token.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from courtwatch.api import http
from courtwatch.api.dictionary import SCHEMA_VERSION, SUMMARY_DIMENSIONS, as_dictionary
from courtwatch.api.incidents import DEFAULT_LIMIT, ROW_COLUMNS, incident_page
from courtwatch.api.openapi import openapi_document
from courtwatch.api.tokens import authenticate, bearer_token, rate_key
from courtwatch.auth.access import public
from courtwatch.errors import DomainError
from courtwatch.extensions import csrf, limiter
from courtwatch.opendata.cache import published_numbers
from courtwatch.opendata.publication import ACTIONS, COVERAGE_COLUMNS, TABLES, resolve_period
from courtwatch.opendata.settings import publication_settings
from courtwatch.reports.spreadsheets import CSV_CONTENT_TYPE, csv_lines

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # GET only, no cookies read
TABLE_FOR = {dimension: key for key, dimension in TABLES.items()}
SUMMARY_CSV_COLUMNS = ("key", "label", "county", *ACTIONS, "incidents", *COVERAGE_COLUMNS, "suppressed")


def public_limit() -> str:
    return current_app.config["OPENDATA_RATE_LIMIT"]


def partner_limit() -> str:
    return current_app.config["PARTNER_RATE_LIMIT"]


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    messages = {404: "Not found.", 405: "Only GET is allowed here.", 429: "Too many requests; try again in a minute."}
    return http.json_error(error.code or 500, messages.get(error.code, error.name))


@bp.after_request
def _cross_origin(response: Response) -> Response:
    return response if request.endpoint in ("api.incidents", "api.incidents_csv") else http.allow_cross_origin(response)


# ---------------------------------------------------------------------------- documents
@bp.route("/openapi.json")
@public
@limiter.limit(public_limit, key_func=lambda: "opendata-public", scope="opendata")
def openapi():
    return http.conditional(jsonify(openapi_document(request.host_url.rstrip("/"))))


@bp.route("/dictionary.json")
@public
@limiter.limit(public_limit, key_func=lambda: "opendata-public", scope="opendata")
def dictionary():
    return http.conditional(jsonify(as_dictionary()))


# ---------------------------------------------------------------------------- the public summary
def _summary_row(row, columns) -> dict:
    body = {"key": row.key, "label": row.label}
    if row.county is not None:
        body["county"] = row.county
    body.update({column: row.counts[column] for column in columns})
    if row.coverage is not None:
        body.update(row.coverage)
    body["suppressed"] = row.suppressed
    return body


def _summary():
    """(publication, table) for the query, or an error response."""
    settings = publication_settings()
    if not settings.enabled:
        return None, http.json_error(404, "This campaign does not publish open data.")
    by = request.args.get("by", "month")
    if by not in SUMMARY_DIMENSIONS:
        return None, http.json_error(400, "Choose by= one of " + ", ".join(SUMMARY_DIMENSIONS) + ".", "by")
    if TABLE_FOR[by] not in settings.section_list:
        return None, http.json_error(404, "The campaign does not publish this table.", "by")
    try:
        period = resolve_period(settings, request.args.get("from"), request.args.get("to"))
    except DomainError as error:
        return None, http.json_error(400, error.message, error.field)
    with force_locale("en"):  # stable English labels, whatever the caller's browser says
        publication = published_numbers(settings, period)
    return publication, publication.tables[TABLE_FOR[by]]


@bp.route("/incidents/summary")
@public
@limiter.limit(public_limit, key_func=lambda: "opendata-public", scope="opendata")
def summary():
    publication, table = _summary()
    if publication is None:
        return table
    totals_columns = ("sighting", "attempted_arrest", "arrest", "incidents")
    return http.conditional(
        jsonify(
            {
                "schema_version": SCHEMA_VERSION,
                "from": publication.period.first_month,
                "to": publication.period.last_month,
                "by": table.dimension,
                "threshold": publication.threshold,
                "rows": [_summary_row(row, table.columns) for row in table.rows],
                "totals": _summary_row(publication.totals, totals_columns),
            }
        )
    )


@bp.route("/incidents/summary.csv")
@public
@limiter.limit(public_limit, key_func=lambda: "opendata-public", scope="opendata")
def summary_csv():
    publication, table = _summary()
    if publication is None:
        return table
    lines = [SUMMARY_CSV_COLUMNS]
    for row in [*table.rows, publication.totals]:
        values = _summary_row(row, table.columns)
        values["suppressed"] = ";".join(values["suppressed"])
        lines.append([values.get(column, "") for column in SUMMARY_CSV_COLUMNS])
    response = Response("".join(csv_lines(lines)), mimetype=CSV_CONTENT_TYPE)
    name = f"courtwatch-{table.dimension}-{publication.period.first_month}-{publication.period.last_month}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return http.conditional(response)


# ---------------------------------------------------------------------------- partner rows
def _partner_page():
    plaintext = bearer_token(request.headers.get("Authorization"))
    if authenticate(plaintext, "incidents") is None:
        response = http.json_error(401, "Send a valid partner token: Authorization: Bearer cwp_…")
        response.headers["WWW-Authenticate"] = 'Bearer realm="courtwatch"'
        return None, response
    settings = publication_settings()
    try:
        period = resolve_period(settings, request.args.get("from"), request.args.get("to"))
        limit = request.args.get("limit", str(DEFAULT_LIMIT))
        if not limit.isdigit():
            raise DomainError(_("Choose a limit from 1 to %(n)d.", n=5000), field="limit")
        rows, next_cursor = incident_page(
            period, settings.date_precision, limit=int(limit), after=request.args.get("after")
        )
    except DomainError as error:
        return None, http.json_error(400, error.message, error.field)
    return (period, rows, next_cursor), None


def _next_link(response: Response, endpoint: str, next_cursor: str | None) -> Response:
    if next_cursor:
        url = url_for(endpoint, **{**request.args.to_dict(), "after": next_cursor}, _external=True)
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


@bp.route("/incidents")
@public
@limiter.limit(
    partner_limit, key_func=lambda: rate_key(bearer_token(request.headers.get("Authorization"))), scope="partner"
)
def incidents():
    page, error = _partner_page()
    if error is not None:
        return error
    period, rows, next_cursor = page
    response = jsonify(
        {
            "schema_version": SCHEMA_VERSION,
            "from": period.first_month,
            "to": period.last_month,
            "rows": rows,
            "next": next_cursor,
        }
    )
    return http.conditional(_next_link(response, "api.incidents", next_cursor), public=False)


@bp.route("/incidents.csv")
@public
@limiter.limit(
    partner_limit, key_func=lambda: rate_key(bearer_token(request.headers.get("Authorization"))), scope="partner"
)
def incidents_csv():
    page, error = _partner_page()
    if error is not None:
        return error
    period, rows, next_cursor = page
    lines = [ROW_COLUMNS, *([";".join(row[c]) if c == "agencies" else row[c] for c in ROW_COLUMNS] for row in rows)]
    response = Response("".join(csv_lines(lines)), mimetype=CSV_CONTENT_TYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="courtwatch-incidents-{period.first_month}-{period.last_month}.csv"'
    )
    return http.conditional(_next_link(response, "api.incidents_csv", next_cursor), public=False)
