"""`flask notify send-due`: deliver queued mail (run it from cron every minute).

Before sending, it queues the shift reminders that have come due (24 h and 2 h before, see
``REMINDER_HOURS``) in a transaction of their own; their dedupe keys make two runs at the same
moment queue each reminder once.
"""

import click
from flask.cli import AppGroup

from courtwatch.db import db
from courtwatch.notify.services import send_due

notify_cli = AppGroup("notify", help="Email outbox.")


@notify_cli.command("send-due")
@click.option("--limit", default=500, show_default=True, help="Most messages to attempt in one run.")
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
    click.echo(f"queued {queued} reminders; sent {report.sent}, failed {report.failed} (will retry), "
               f"gave up {report.gave_up}")
