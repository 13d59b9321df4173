"""`flask privacy purge`: run daily from cron to delete personal data past its retention."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from courtwatch.commands import transactional
from courtwatch.privacy.retention import purge_accompaniment_requests

privacy_cli = AppGroup("privacy", help="Retention and purge of personal data.")


@privacy_cli.command("purge")
@transactional
def purge_command() -> None:
    """Delete accompaniment requests whose hearing ended more than ACCOMPANIMENT_PURGE_DAYS ago."""
    count = purge_accompaniment_requests()
    click.echo(f"purged {count} accompaniment request(s)")
