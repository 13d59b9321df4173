"""`flask notify send-due`: deliver queued mail (run it from cron every minute); `flask notify
worker [--once]`: deliver as messages are queued (a long-running process, see ``worker.py``);
`flask notify preview KIND [--lang es]`: show one kind of email with made-up data.

Before sending, it queues the shift reminders that have come due (24 h and 2 h before, see
``REMINDER_HOURS``) in a transaction of their own; their dedupe keys make two runs at the same
moment queue each reminder once.
"""

import click
from flask import current_app
from flask.cli import AppGroup

from courtwatch.commands import CommandError
from courtwatch.jobs.locks import single_run
from courtwatch.notify.messages import EMAIL_KINDS
from courtwatch.notify.services import send_due

notify_cli = AppGroup("notify", help="Email outbox.")


@notify_cli.command("send-due")
@click.option("--limit", default=500, show_default=True, help="Most messages to attempt in one run.")
@single_run("notify send-due")
def send_due_command(limit: int) -> None:
    """Queue due shift reminders, then deliver queued messages whose time has come (until
    NOTIFY_RUN_SECONDS, so a run never overlaps the next minute's)."""
    from courtwatch.notify.worker import queue_reminders

    queued = queue_reminders()
    report = send_due(limit=limit)
    click.echo(f"queued {queued} reminders; {report.summary()}")


@notify_cli.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, print what was done, and exit.")
def worker_command(once: bool) -> None:
    """Deliver messages as they are queued, until SIGTERM or Ctrl-C. Several may run at once."""
    from courtwatch.notify.worker import Stop, queue_reminders, run_worker

    stop = Stop()
    with stop.on_signals():
        if once:
            queued = queue_reminders()
            report = send_due(should_stop=stop)
            click.echo(f"queued {queued} reminders; {report.summary()}")
            return
        run_worker(
            report_run=lambda report: click.echo(f"notify worker: {report.summary()}"),
            stop=stop,
            ready=lambda how: click.echo(f"notify worker: {how}; stop with SIGTERM or Ctrl-C", err=True),
        )
        click.echo("notify worker: stopped", err=True)


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
