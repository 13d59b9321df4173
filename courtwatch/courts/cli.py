"""`flask courthouses import PATH [--mapping NAME] [--dry-run]`: courthouse lists in bulk.

Prints the plan one count a line (`add N`, `change N`, `unchanged N`, `rejected N`, `repeated N`),
then each new courthouse's time zone and where it came from, and each refused row's reason.
Several files may be given at once (the Massachusetts list comes as nine). Bad input: one line on
stderr, exit status 2, nothing written.
"""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup

from courtwatch.commands import CommandError, transactional
from courtwatch.courts.courthouse_files import (
    BUILTIN_MAPPINGS,
    courthouse_file_kind,
    detect_builtin,
    guess_fields,
    read_courthouse_file,
)
from courtwatch.courts.courthouse_import import (
    CourthousePlan,
    CourthouseSource,
    apply_courthouse_plan,
    plan_courthouse_import,
)
from courtwatch.courts.courthouse_zones import ZONE_SOURCES

courthouses_cli = AppGroup("courthouses", help="Courthouses: import lists in bulk.")


def _read(path: str):
    if not os.path.isfile(path):
        raise CommandError(f"no such file: {path}")
    if os.path.getsize(path) > current_app.config["IMPORT_MAX_BYTES"]:
        raise CommandError(f"{path}: larger than COURTWATCH_IMPORT_MAX_BYTES; refused before reading it")
    with open(path, "rb") as handle:
        kind = courthouse_file_kind(path, handle.read(4096))
    if kind is None:
        raise CommandError(f"{path}: not a CSV, XLSX or JSON courthouse list")
    return read_courthouse_file(path, kind, current_app.config["IMPORT_MAX_BYTES"])


def _mapping_for(table, mapping_name: str | None, path: str) -> dict:
    if mapping_name:
        return {"builtin": mapping_name}
    builtin = detect_builtin(table.headers)
    if builtin is not None:
        click.echo(f"{os.path.basename(path)}: mapping {builtin.name} (recognised from the columns)")
        return {"builtin": builtin.name}
    fields = guess_fields(table.headers)
    click.echo(f"{os.path.basename(path)}: guessed columns " + ", ".join(f"{f}={h}" for f, h in fields.items()))
    return {"fields": fields, "key": "slug" if "slug" in fields else "name_city"}


def _echo_plan(plan: CourthousePlan) -> None:
    for row in plan.rows:
        name = row.values["name"]
        if row.action == "add":
            check = " CHECK" if row.zone.needs_checking else ""
            source = ZONE_SOURCES[row.zone.source]
            click.echo(f"  add: {name}, {row.values.get('city', '')} — {row.zone.zone} ({source}){check}")
        elif row.action == "change":
            click.echo(f"  change: {name} ({', '.join(row.changed_fields)})")
    for problem in plan.problems + plan.repeats:
        click.echo(f"  {problem.place.label(True)}: {problem.reason}")


@courthouses_cli.command("import")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True)
@click.option(
    "--mapping",
    "mapping_name",
    help="A built-in mapping: " + ", ".join(BUILTIN_MAPPINGS) + " (recognised on its own when the columns match).",
)
@click.option("--dry-run", is_flag=True, help="Show the plan; write nothing.")
@transactional
def import_command(paths, mapping_name, dry_run):
    """Import courthouses from CSV, XLSX or JSON lists; re-importing the same list changes nothing."""
    if mapping_name and mapping_name not in BUILTIN_MAPPINGS:
        raise CommandError(f"no mapping named {mapping_name!r}; known: {', '.join(BUILTIN_MAPPINGS)}")
    sources = []
    for path in paths:  # every file read before anything is planned or written
        table = _read(path)
        sources.append(CourthouseSource(os.path.basename(path), table, _mapping_for(table, mapping_name, path)))
    plan = plan_courthouse_import(sources)
    _echo_plan(plan)
    if not dry_run:
        apply_courthouse_plan(None, plan)
    counts = plan.counts
    for word, name in (
        ("add", "added"),
        ("change", "changed"),
        ("unchanged", "unchanged"),
        ("rejected", "rejected"),
        ("repeated", "repeated"),
    ):
        click.echo(f"{word} {counts[name]}")
    click.echo("dry run: nothing was written" if dry_run else "imported")
