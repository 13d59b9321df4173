"""`flask cases link`: put hearings imported before cases existed into their cases (once, after
the upgrade; safe to run again). Imports link new hearings themselves."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from courtwatch.commands import transactional
from courtwatch.courts.case_services import link_existing_hearings

cases_cli = AppGroup("cases", help="Court cases followed across hearings.")


@cases_cli.command("link")
@transactional
def link_command():
    """Link every hearing that has a case number to its case; prints how many were linked."""
    click.echo(f"linked {link_existing_hearings()}")
