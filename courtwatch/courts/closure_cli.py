"""`flask closures add|import|list|remove`: closure days from the command line.

``add`` and ``import`` print the plan first, one count a line (``close N``, ``already closed N``,
``cancel N``, ``keep N``), then the shifts concerned; with --dry-run nothing is written. Bad
input ends with one line on stderr and exit status 2.
"""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from courtwatch.commands import CommandError, transactional
from courtwatch.courts import closures
from courtwatch.courts.closure_models import ClosureSource
from courtwatch.courts.holiday_calendar import MAX_BYTES, read_holidays, summary_lines
from courtwatch.courts.services import courthouse_by_slug
from courtwatch.db import utcnow

closures_cli = AppGroup("closures", help="Days a courthouse, or every courthouse of a state, is closed.")


def _scope(slug: str | None, state: str | None) -> closures.ClosureScope:
    if bool(slug) == bool(state):
        raise CommandError("give --courthouse SLUG or --state XX (one of them)")
    if slug:
        return closures.scope_for(courthouse=courthouse_by_slug(slug))
    return closures.scope_for(state=state)


def _echo_plan(plan: closures.ClosurePlan) -> None:
    for word, number in (
        ("close", len(plan.new)),
        ("already closed", len(plan.already_closed)),
        ("cancel", len(plan.cancelled)),
        ("keep", len(plan.kept)),
    ):
        click.echo(f"{word} {number}")
    for item in plan.new:
        click.echo(f"closed: {item.day.isoformat()} {item.label}")
    for conflict in plan.conflicts:
        word = "cancel" if conflict.will_cancel else "keep"
        note = f" - {conflict.note}" if conflict.note else ""
        click.echo(
            f"{word}: {conflict.day.isoformat()} {conflict.courthouse_name}: {conflict.title}"
            f" ({conflict.people} on it){note}"
        )


def _apply(scope, proposed, source: str, dry_run: bool) -> None:
    if dry_run:
        _echo_plan(closures.plan_closures(scope, proposed))
        click.echo("dry run: nothing written")
        return
    saved = closures.save_closures(None, scope, proposed, source=source)
    _echo_plan(saved.plan)
    click.echo(f"saved {len(saved.created)} closure days for {scope.title}; {saved.cancelled} shifts cancelled")


@closures_cli.command("add")
@click.option("--date", "day_text", required=True, help="The closed day, YYYY-MM-DD (the courthouse's own date).")
@click.option("--courthouse", "slug", help="Courthouse slug.")
@click.option("--state", help="Two-letter state: every courthouse in it.")
@click.option("--label", required=True, help="Why it is closed, e.g. 'Christmas Day'.")
@click.option("--dry-run", is_flag=True, help="Show what it would cancel; write nothing.")
@transactional
def add_command(day_text, slug, state, label, dry_run):
    """Close one day; shifts on it are cancelled and their volunteers told."""
    scope = _scope(slug, state)
    day = closures.parse_day(day_text)
    proposed = [closures.ProposedClosure(day, closures.clean_label(label))]
    _apply(scope, proposed, ClosureSource.TYPED, dry_run)


@closures_cli.command("import")
@click.argument("path")
@click.option("--courthouse", "slug", help="Courthouse slug.")
@click.option("--state", help="Two-letter state: every courthouse in it.")
@click.option("--dry-run", is_flag=True, help="Show the days and what they would cancel; write nothing.")
@transactional
def import_command(path, slug, state, dry_run):
    """Close the days of a holiday calendar's all-day events (.ics)."""
    scope = _scope(slug, state)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # one byte over: the reader refuses it with its message
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
    first = closures.first_open_day(scope)
    read = read_holidays(data, first, first + timedelta(days=closures.AHEAD_DAYS))
    for line in summary_lines(read):
        click.echo(f"note: {line}")
    if not read.days:
        raise CommandError("no all-day event from today on in this calendar: nothing to close")
    _apply(scope, read.days, ClosureSource.CALENDAR, dry_run)


@closures_cli.command("list")
@click.option("--from", "from_text", help="First day, YYYY-MM-DD (default: today).")
@transactional
def list_command(from_text):
    """Closure days from a day on: id, date, where, label."""
    start = closures.parse_day(from_text) if from_text else utcnow().date() - timedelta(days=1)
    for closure in closures.list_closures(start):
        where = closure.courthouse.slug if closure.courthouse else f"state {closure.state}"
        click.echo(f"{closure.id}\t{closure.day.isoformat()}\t{where}\t{closure.label}")


@closures_cli.command("remove")
@click.argument("closure_id", type=click.IntRange(1, 2**31 - 1))
@transactional
def remove_command(closure_id):
    """Remove a closure day (shifts it cancelled stay cancelled)."""
    closure = closures.remove_closure(None, closure_id)
    click.echo(f"removed {closure.day.isoformat()} {closure.label}")
