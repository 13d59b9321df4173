"""`flask notify send-due`: deliver queued mail (run it from cron every minute); `flask notify
preview KIND [--lang es]`: show one kind of email with made-up data.

Before sending, it queues the shift reminders that have come due (24 h and 2 h before, see
``REMINDER_HOURS``) in a transaction of their own; their dedupe keys make two runs at the same
moment queue each reminder once.
"""

import click
from flask import current_app
from flask.cli import AppGroup

from courtwatch.commands import CommandError
from courtwatch.db import db
from courtwatch.jobs.locks import single_run
from courtwatch.notify.messages import EMAIL_KINDS
from courtwatch.notify.services import send_due

notify_cli = AppGroup("notify", help="Email outbox.")


@notify_cli.command("send-due")
@click.option("--limit", default=500, show_default=True, help="Most messages to attempt in one run.")
@single_run("notify send-due")
def send_due_command(limit: int) -> None:
    """Queue due shift reminders, then deliver queued messages whose time has come."""
    from courtwatch.shifts.reminders import queue_due_reminders

    try:
        queued = queue_due_reminders()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    report = send_due(limit=limit)
    click.echo(
        f"queued {queued} reminders; sent {report.sent}, failed {report.failed} (will retry), gave up {report.gave_up}"
    )


@notify_cli.command("preview")
@click.argument("kind")
@click.option("--lang", default="en", show_default=True, help="Language of the message (en, es).")
def preview_command(kind: str, lang: str) -> None:
    """Print one kind of email as it would be sent, with made-up data (nothing is written)."""
    from courtwatch.notify.samples import sample_email

    if kind not in EMAIL_KINDS:
        raise CommandError(f"no such kind of email: {kind} (choose from {', '.join(EMAIL_KINDS)})")
    languages = [code.strip() for code in current_app.config["LANGUAGES"].split(",")]
    if lang not in languages:
        raise CommandError(f"no such language: {lang} (choose from {', '.join(languages)})")
    subject, body = sample_email(kind, lang)
    click.echo(f"Subject: {subject}\n\n{body}", nl=False)
