"""`flask shifts create` and `flask shifts generate` (run generate nightly from cron)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from courtwatch.commands import CommandError, transactional
from courtwatch.courts.services import courthouse_by_slug
from courtwatch.errors import NotFound
from courtwatch.jobs.locks import single_run
from courtwatch.shifts import patterns, services

shifts_cli = AppGroup("shifts", help="Shifts and recurring patterns.")


def _local(value: str, zone, option: str) -> datetime:
    try:
        naive = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise CommandError(f"{option} must look like 'YYYY-MM-DD HH:MM' (got {value!r})") from None
    return naive.replace(tzinfo=zone).astimezone(UTC)


@shifts_cli.command("create")
@click.option("--courthouse", "slug", required=True, help="Courthouse slug.")
@click.option("--kind", type=click.Choice(["observation", "accompaniment"]), default="observation", show_default=True)
@click.option("--start", required=True, help="Local time of the courthouse: 'YYYY-MM-DD HH:MM'.")
@click.option("--end", required=True, help="Local time of the courthouse: 'YYYY-MM-DD HH:MM'.")
@click.option("--capacity", type=click.IntRange(1, 50), default=None)
@click.option("--minimum", type=click.IntRange(0, 50), default=None)
@click.option("--meeting-point", default="")
@transactional
def create_command(slug, kind, start, end, capacity, minimum, meeting_point):
    """Create one shift and print its id."""
    try:
        courthouse = courthouse_by_slug(slug)
    except NotFound:
        raise CommandError(f"no courthouse with the slug {slug!r}") from None
    shift = services.create_shift(
        None,
        courthouse=courthouse,
        kind=kind,
        starts_at=_local(start, courthouse.zone, "--start"),
        ends_at=_local(end, courthouse.zone, "--end"),
        capacity=capacity,
        minimum=minimum,
        meeting_point=meeting_point,
    )
    click.echo(shift.id)


@shifts_cli.command("generate")
@click.option(
    "--days", type=click.IntRange(1, 366), default=None, help="Horizon in days (default: SHIFT_HORIZON_DAYS)."
)
@single_run("shifts generate")
@transactional
def generate_command(days):
    """Create the missing shifts of every active weekly pattern (idempotent)."""
    created = patterns.generate_shifts(horizon_days=days)
    click.echo(f"{created} shifts created")
