"""`flask calendars import PATH --courthouse SLUG` and `flask calendars sync` (for cron).

The import command prints the same preview as the upload page; with --dry-run nothing is written.
A refused file ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import os

import click
from flask import current_app
from flask.cli import AppGroup

from courtwatch.commands import CommandError, transactional
from courtwatch.courts.services import courthouse_by_slug
from courtwatch.errors import DomainError
from courtwatch.imports import held_plans, services
from courtwatch.imports.mapping import guess_mapping
from courtwatch.imports.planner import ImportSummary
from courtwatch.imports.sync import subscribe, sync_all, sync_source
from courtwatch.imports.tables import looks_like_json, read_table, sniff_kind
from courtwatch.jobs.locks import single_run

calendars_cli = AppGroup("calendars", help="Court calendars: import files, refresh subscriptions.")


def echo_summary(summary: ImportSummary, zones: dict) -> None:
    # One count per line, each starting with its word, so scripts can read the plan.
    for word, number in (
        ("add", summary.added),
        ("change", summary.changed),
        ("cancel", summary.cancelled),
        ("unchanged", summary.unchanged),
        ("rejected", summary.rejected),
        ("repeated rows", summary.duplicates),
    ):
        click.echo(f"{word} {number}")
    if summary.partial:
        click.echo("partial: the calendar was not read completely; nothing was cancelled")
    for note in summary.notes:
        click.echo(f"note: {note}")
    for sample in summary.samples["changed"][:20]:
        zone = zones.get(sample.courthouse_id)
        old = sample.old_starts_at.astimezone(zone) if zone and sample.old_starts_at else sample.old_starts_at
        new = sample.starts_at.astimezone(zone) if zone else sample.starts_at
        click.echo(
            f"changed: {sample.case_number or sample.title} {old:%Y-%m-%d %H:%M} -> {new:%Y-%m-%d %H:%M}"
            f" room {sample.old_courtroom or '-'} -> {sample.courtroom or '-'}"
        )
    for problem in summary.problems[:50]:
        click.echo(f"line {problem.line}: {problem.reason}")


@calendars_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--courthouse", "slug", help="Courthouse slug (leave out when the rows name their court).")
@click.option("--mapping", "mapping_name", help="Use the column mapping remembered by this source.")
@click.option("--source", "source_name", help="Source name (default: the file name).")
@click.option("--dry-run", is_flag=True, help="Show the preview; write nothing.")
@click.option("--partial", is_flag=True, help="The file is not the whole calendar: cancel nothing missing.")
@click.option(
    "--confirm-cancellations",
    is_flag=True,
    help="Apply a plan that cancels more hearings than the hold settings allow.",
)
@transactional
def import_command(path, slug, mapping_name, source_name, dry_run, partial, confirm_cancellations):
    """Import a calendar file (.ics, .csv, .xlsx) and print what changed."""
    if not os.path.isfile(path):
        raise CommandError(f"no such file: {path}")
    if os.path.getsize(path) > current_app.config["IMPORT_MAX_BYTES"]:
        raise CommandError("the file is larger than IMPORT_MAX_BYTES; refused before reading it")
    with open(path, "rb") as handle:
        head = handle.read(4096)
    kind = sniff_kind(path, head)
    if kind is None:
        if looks_like_json(path, head):
            raise CommandError(
                "a JSON file is not a calendar: import courthouse lists with `flask courthouses import PATH`"
            )
        raise CommandError("not an iCalendar, CSV or XLSX file")
    courthouse = courthouse_by_slug(slug) if slug else None
    name = source_name or mapping_name or os.path.basename(path)
    source = services.find_source(courthouse.id if courthouse else None, name)
    mapping = None
    if kind != "ics":
        if mapping_name:
            named = services.source_by_name(mapping_name)
            mapping = services.remembered_mapping(named)
            if mapping is None:
                raise CommandError(f"no remembered mapping named {mapping_name!r}")
        else:
            mapping = services.remembered_mapping(source)
        if mapping is None:
            table = read_table(path, kind, current_app.config["IMPORT_MAX_BYTES"])
            table.close()
            mapping = {"fields": guess_mapping(table.headers), "key": "case_date"}
            click.echo(f"guessed mapping: {json.dumps(mapping['fields'], sort_keys=True)}")
    if not dry_run:
        source = services.get_or_create_source(courthouse, name, kind)
    summary = services.import_file(
        path,
        kind=kind,
        courthouse=courthouse,
        source=source,
        mapping=mapping,
        apply=not dry_run,
        full=not partial,
        confirm_cancellations=confirm_cancellations,
    )
    zones = {}
    if courthouse is not None:
        zones[courthouse.id] = courthouse.zone
    echo_summary(summary, zones)
    if dry_run:
        if summary.review_needed:
            click.echo("note: applying this plan needs --confirm-cancellations (it cancels many hearings)")
        click.echo("dry run: nothing was written")
        return
    if summary.held:
        with open(path, "rb") as handle:
            held_plans.hold_plan(source, handle, summary, kind=kind, mapping=mapping)
        click.echo(
            f"held: this plan cancels {summary.cancelled} of {summary.future_before} future hearings; nothing "
            "was written. Review it on the calendars page, or run again with --confirm-cancellations."
        )
        return
    if mapping:
        source.mapping = json.dumps(mapping, sort_keys=True)
    services.record_run(None, source, summary, os.path.basename(path))
    click.echo(f"imported into source {source.name!r}")


@calendars_cli.command("subscribe")
@click.argument("url")
@click.option("--courthouse", "slug", required=True, help="Courthouse slug.")
@click.option("--name", default="", help="Name of the subscription (default: the host name).")
@transactional
def subscribe_command(url, slug, name):
    """Subscribe a courthouse to a calendar address and sync it once."""
    courthouse = courthouse_by_slug(slug)
    try:
        source = subscribe(None, courthouse, name, url)
    except DomainError as error:
        raise CommandError(error.message) from None
    sync_source(source)
    detail = f": {source.last_error}" if source.last_error else ""
    click.echo(f"subscribed {source.name!r} (source {source.id}); first sync {source.last_status}{detail}")


@calendars_cli.command("sync")
@single_run("calendars sync")
@transactional
def sync_command():
    """Refresh every subscribed calendar (conditional GET) and record each outcome."""
    for source in sync_all():
        detail = f": {source.last_error}" if source.last_error else ""
        click.echo(f"{source.name}: {source.last_status}{detail}")
