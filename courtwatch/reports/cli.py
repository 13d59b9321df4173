"""`flask reports export`: the same files as the Summaries page, for scripts and scheduled jobs.

The export is audit-logged like one made on the page (actor: none, i.e. the command line), and
the log entry commits only once the file is fully written.
"""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.commands import CommandError, transactional
from courtwatch.courts.models import Courthouse
from courtwatch.db import db
from courtwatch.jobs.locks import single_run
from courtwatch.reports.counts import recount_all
from courtwatch.reports.filters import SCOPE_ALL, SCOPE_CONFIRMED, parse_date, resolve_filter
from courtwatch.reports.services import FORMATS, LEVELS, export_file

reports_cli = AppGroup("reports", help="Campaign summaries and exports.")


def _courthouse_ids(slugs) -> list[int]:
    if not slugs:
        return []
    found = dict(db.session.execute(select(Courthouse.slug, Courthouse.id).where(Courthouse.slug.in_(slugs))).all())
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise CommandError(_("no courthouse with the slug %(slug)s", slug=", ".join(missing)))
    return [found[slug] for slug in slugs]


@reports_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--from", "date_from", required=True, help="First day, YYYY-MM-DD (courthouse local).")
@click.option("--to", "date_to", required=True, help="Last day, YYYY-MM-DD, included.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    default="summary",
    show_default=True,
    help="summary tables, one row per report, or volunteer hours.",
)
@click.option(
    "--all", "all_reports", is_flag=True, help="Count all reports except false alarms (default: confirmed only)."
)
@click.option("--courthouse", "slugs", multiple=True, help="Courthouse slug (repeatable).")
@click.option("--county", "counties", multiple=True, help="County (repeatable).")
@click.option("--court-type", "court_types", multiple=True, help="Court type (repeatable).")
@click.option("--personal-data", is_flag=True, help="Include reporter, free text and photo links.")
@click.option("--suppress-small", is_flag=True, help="Show incident counts of 1 or 2 as <3.")
@transactional
def export_command(
    fmt, date_from, date_to, out_path, level, all_reports, slugs, counties, court_types, personal_data, suppress_small
):
    """Write a CSV or XLSX export to --out."""
    report_filter = resolve_filter(
        date_from=parse_date(date_from, "--from") or _missing("--from"),
        date_to=parse_date(date_to, "--to") or _missing("--to"),
        courthouse_ids=_courthouse_ids(slugs),
        counties=list(counties),
        court_types=list(court_types),
        scope=SCOPE_ALL if all_reports else SCOPE_CONFIRMED,
    )
    export = export_file(None, report_filter, fmt=fmt, level=level, personal=personal_data, suppress=suppress_small)
    partial = out_path + ".partial"
    try:
        with open(partial, "wb") as handle:
            for chunk in export.chunks:
                handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        os.replace(partial, out_path)  # a reader never sees half a file
    except OSError as error:
        raise CommandError(f"cannot write {out_path}: {error.strerror}") from None
    click.echo(f"wrote {out_path}")


@reports_cli.command("recount")
@single_run("reports recount")
@transactional
def recount_command():
    """Rebuild the daily report counts from the reports (after a bulk load or a restore)."""
    rows = recount_all(db.session.connection())
    click.echo(f"counted {rows} courthouse-day rows")


def _missing(option: str):
    raise CommandError(f"{option} is required")
