"""`flask privacy purge` (cron, daily) erases personal data past its retention; `privacy rotate-key`
re-wraps every data key under the first configured master key."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from courtwatch.commands import CommandError, transactional
from courtwatch.jobs.locks import single_run
from courtwatch.notify.services import erase_delivered_mail
from courtwatch.privacy.keys import KeyUnavailable, generate_master_key, rotate_master_key
from courtwatch.privacy.retention import purge_private_hearing_data

privacy_cli = AppGroup("privacy", help="Retention and purge of personal data, and the master key.")


@privacy_cli.command("purge")
@single_run("privacy purge")
@transactional
def purge_command() -> None:
    """Erase hearings' private data ACCOMPANIMENT_PURGE_DAYS after them, and delivered mail's
    addresses and bodies after SENT_MAIL_RETENTION_DAYS."""
    requests, hearings = purge_private_hearing_data()
    mail = erase_delivered_mail()
    click.echo(
        f"purged {requests} accompaniment request(s) and the private data of {hearings} hearing(s); "
        f"erased {mail} delivered message(s)"
    )


@privacy_cli.command("rotate-key")
@transactional
def rotate_key_command() -> None:
    """Re-wrap every data key under the first key in MASTER_KEY (the others only unwrap)."""
    try:
        count = rotate_master_key()
    except KeyUnavailable as error:
        raise CommandError(str(error)) from None
    click.echo(f"re-wrapped {count} data key(s) under the current master key")


@privacy_cli.command("new-key")
def new_key_command() -> None:
    """Print a fresh random master key (base64 of 32 bytes) for COURTWATCH_MASTER_KEY."""
    click.echo(generate_master_key())
