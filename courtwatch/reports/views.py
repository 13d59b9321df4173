"""Summaries, charts, the printable report, exports and volunteer hours: coordinators and admins only.

Every route here carries ``@coordinator_required`` (admins pass it): these pages aggregate the
campaign's evidence and the volunteers' names. Files are sent with ``Cache-Control: no-store``
and streamed; the view only parses, calls the services and wraps the result.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user

from courtwatch.auth.access import coordinator_required
from courtwatch.courts.services import campaign_today, list_courthouses
from courtwatch.errors import DomainError
from courtwatch.forms import attach_error
from courtwatch.reports.filters import default_range, resolve_filter
from courtwatch.reports.forms import FILTER_FIELDS, ExportForm, FilterForm, HoursExportForm
from courtwatch.reports.hours import volunteer_hour_tables
from courtwatch.reports.services import LEVEL_VOLUNTEERS, export_file
from courtwatch.reports.summaries import build_summary, incident_series
from courtwatch.reports.tables import apply_suppression
from courtwatch.web import mark_for_rollback

bp = Blueprint("reports", __name__)


def _filter_form(form_class=FilterForm, formdata=None):
    form = form_class(formdata=formdata if formdata is not None else request.args)
    form.load_choices(list_courthouses())
    # An empty date means "the usual window": the last twelve months, shown filled in.
    default_from, default_to = default_range()
    for field, default in ((form.date_from, default_from), (form.date_to, default_to)):
        if field.data is None and not any(field.raw_data or [""]):
            field.data = default
    return form


def _resolve(form):
    """The form's ReportFilter, or None with the errors attached to the form's fields."""
    if not form.validate():
        return None
    try:
        return resolve_filter(**form.filter_values())
    except DomainError as error:
        field = {"courthouses": "courthouses"}.get(error.field, error.field)
        attach_error(form, DomainError(error.message, field))
        return None


def _filter_args(form) -> dict:
    """The chosen filters as URL parameters, so charts and the printable page count the same rows."""
    return {
        "date_from": form.date_from.data.isoformat() if form.date_from.data else "",
        "date_to": form.date_to.data.isoformat() if form.date_to.data else "",
        "courthouses": form.courthouses.data or [],
        "counties": form.counties.data or [],
        "court_types": form.court_types.data or [],
        "scope": form.scope.data or "",
    }


def _download(export) -> Response:
    response = Response(stream_with_context(export.chunks), content_type=export.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reports")
@coordinator_required
def index():
    form = _filter_form()
    report_filter = _resolve(form)
    export_form = ExportForm(formdata=None)
    if report_filter is None:
        return render_template(
            "reports/index.html",
            form=form,
            export_form=export_form,
            summary=None,
            filter_fields=FILTER_FIELDS,
            filter_args=_filter_args(form),
        ), 422
    return render_template(
        "reports/index.html",
        form=form,
        export_form=export_form,
        summary=build_summary(report_filter),
        filter_fields=FILTER_FIELDS,
        filter_args=_filter_args(form),
    )


@bp.route("/reports/print")
@coordinator_required
def printable():
    form = _filter_form()
    report_filter = _resolve(form)
    if report_filter is None:
        return render_template(
            "reports/index.html",
            form=form,
            export_form=ExportForm(formdata=None),
            summary=None,
            filter_fields=FILTER_FIELDS,
            filter_args=_filter_args(form),
        ), 422
    suppress = request.args.get("suppress") == "1"
    summary = build_summary(report_filter)
    return render_template(
        "reports/print.html",
        summary=summary,
        report_filter=report_filter,
        tables=apply_suppression(summary.tables, suppress),
        suppress=suppress,
        today=campaign_today().isoformat(),
        filter_args=_filter_args(form),
    )


@bp.route("/reports/charts/<any(months, courthouses):name>.svg")
@coordinator_required
def chart(name: str):
    report_filter = _resolve(_filter_form())
    if report_filter is None:
        return Response("", status=422)
    from courtwatch.reports.charts import CHARTS  # matplotlib loads only in processes that draw

    response = Response(CHARTS[name](incident_series(report_filter)), mimetype="image/svg+xml")
    # matplotlib writes style attributes; this image has no script and loads nothing else.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reports/export", methods=["POST"])
@coordinator_required
def export():
    export_form = _filter_form(ExportForm, request.form)
    report_filter = _resolve(export_form)
    if report_filter is not None:
        try:
            return _download(
                export_file(
                    current_user,
                    report_filter,
                    fmt=export_form.format.data,
                    level=export_form.level.data,
                    personal=export_form.personal_data.data,
                    suppress=export_form.suppress.data,
                )
            )
        except DomainError as error:
            attach_error(export_form, error)
    mark_for_rollback()
    # Show the summary for the filters the export carried, with the export's errors beside it.
    form = _filter_form(FilterForm, request.form)
    report_filter = _resolve(form)
    return render_template(
        "reports/index.html",
        form=form,
        export_form=export_form,
        summary=build_summary(report_filter) if report_filter else None,
        filter_fields=FILTER_FIELDS,
        filter_args=_filter_args(form),
    ), 422


@bp.route("/reports/volunteers")
@coordinator_required
def volunteers():
    form = _filter_form()
    report_filter = _resolve(form)
    tables = volunteer_hour_tables(report_filter) if report_filter else None
    return render_template(
        "reports/volunteers.html",
        form=form,
        tables=tables,
        export_form=HoursExportForm(formdata=None),
        filter_fields=FILTER_FIELDS,
        filter_args=_filter_args(form),
    ), (200 if report_filter else 422)


@bp.route("/reports/volunteers/export", methods=["POST"])
@coordinator_required
def volunteers_export():
    export_form = _filter_form(HoursExportForm, request.form)
    report_filter = _resolve(export_form)
    if report_filter is not None:
        try:
            return _download(
                export_file(current_user, report_filter, fmt=export_form.format.data, level=LEVEL_VOLUNTEERS)
            )
        except DomainError as error:
            attach_error(export_form, error)
    mark_for_rollback()
    return render_template(
        "reports/volunteers.html",
        form=export_form,
        tables=None,
        export_form=export_form,
        filter_fields=FILTER_FIELDS,
        filter_args=_filter_args(export_form),
    ), 422
