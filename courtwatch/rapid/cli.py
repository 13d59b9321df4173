"""`flask oncall add` (set someone on call) and `flask oncall escalate` (run from cron every minute)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from courtwatch.auth.models import User
from courtwatch.commands import CommandError, transactional
from courtwatch.courts.services import courthouse_by_slug
from courtwatch.db import db
from courtwatch.errors import NotFound
from courtwatch.jobs.locks import single_run
from courtwatch.rapid import alerts, oncall

oncall_cli = AppGroup("oncall", help="Rapid response: on-call windows and alert escalation.")


@oncall_cli.command("add")
@click.argument("email")
@click.option("--courthouse", "slug", required=True, help="Courthouse slug.")
@click.option("--start", required=True, help="Local time of the courthouse: 'YYYY-MM-DD HH:MM'.")
@click.option("--end", required=True, help="Local time of the courthouse: 'YYYY-MM-DD HH:MM'.")
@click.option("--weekly", is_flag=True, help="Repeat every week at the same local times.")
@transactional
def add_command(email, slug, start, end, weekly):
    """Put EMAIL on call for a courthouse from --start to --end; prints the window's id."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise CommandError(f"no account with the email {email!r}")
    try:
        courthouse = courthouse_by_slug(slug)
    except NotFound:
        raise CommandError(f"no courthouse with the slug {slug!r}") from None
    starts_at = oncall.parse_local(start, courthouse.zone, "start")
    ends_at = oncall.parse_local(end, courthouse.zone, "end")
    window = oncall.add_window(user, starts_at, ends_at, courthouse=courthouse, weekly=weekly)
    click.echo(window.id)


@oncall_cli.command("escalate")
@single_run("oncall escalate")
@transactional
def escalate_command():
    """Widen alerts nobody answered within ALERT_ESCALATION_MINUTES."""
    click.echo(f"widened {alerts.escalate_due()} alert(s)")
