"""`flask notify send-due`: deliver queued mail (run it from cron every minute)."""

import click
from flask.cli import AppGroup

from courtwatch.notify.services import send_due

notify_cli = AppGroup("notify", help="Email outbox.")


@notify_cli.command("send-due")
@click.option("--limit", default=500, show_default=True, help="Most messages to attempt in one run.")
def send_due_command(limit: int) -> None:
    """Deliver queued messages whose time has come (reminders included)."""
    report = send_due(limit=limit)
    click.echo(f"sent {report.sent}, failed {report.failed} (will retry), gave up {report.gave_up}")
