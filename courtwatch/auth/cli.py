"""`flask users create`: accounts from the command line (the first admin, support)."""

import click
from flask.cli import AppGroup

from courtwatch.auth import services
from courtwatch.auth.models import AccountStatus, Role
from courtwatch.commands import CommandError, transactional

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.VOLUNTEER.value,
              show_default=True)
@click.option("--name", default="", help="Display name (default: the part of the email before @).")
@click.option("--password", default=None, help="Prompted for (hidden) when left out.")
@transactional
def create_user_command(email: str, role: str, name: str, password: str | None) -> None:
    """Create an active account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    if "@" not in email:
        raise CommandError(f"not an email address: {email!r}")
    user = services.create_user(email=email, name=name, password=password, role=role,
                                status=AccountStatus.ACTIVE)
    click.echo(f"created {user.role} {user.email} (id {user.id})")
