"""`flask users create`: accounts from the command line (the first admin, support)."""

import click
from flask.cli import AppGroup

from courtwatch.auth import services
from courtwatch.auth.models import AccountStatus, Role
from courtwatch.commands import CommandError, transactional

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
# A plain string checked by the service, not click.Choice: a bad role then gets the same one-line
# "Error: ..." and exit status 2 as every other bad input, not a usage screen.
@click.option(
    "--role", default=Role.VOLUNTEER.value, show_default=True, help="One of: " + ", ".join(r.value for r in Role) + "."
)
@click.option("--name", default="", help="Display name (default: the part of the email before @).")
@click.option("--password", default=None, help="Prompted for (hidden) when left out.")
@transactional
def create_user_command(email: str, role: str, name: str, password: str | None) -> None:
    """Create an active account."""
    if not services.EMAIL_SHAPE.match(services.normalise_email(email)):
        raise CommandError(f"not an email address: {email!r}")
    if role not in {r.value for r in Role}:
        raise CommandError(f"unknown role {role!r} (use one of: {', '.join(r.value for r in Role)})")
    if password is None:  # asked only once the rest is known to be right
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    user = services.create_user(email=email, name=name, password=password, role=role, status=AccountStatus.ACTIVE)
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@users_cli.command("enrolment-link")
@click.argument("email")
@transactional
def enrolment_link_command(email: str) -> None:
    """Print a one-time second-factor set-up link for an account (the first admin, or mail down).
    It works once within TWO_FACTOR_ENROLMENT_MAX_AGE and still needs the account's password."""
    from flask import current_app, url_for

    from courtwatch.auth import second_factor

    user = services.find_user_by_email(email)
    if user is None:
        raise CommandError(f"no account with the email {email!r}")
    token = second_factor.issue_enrolment_grant(user)
    with current_app.test_request_context():
        path = url_for("account.follow_enrolment_link", token=token)
    click.echo(current_app.config["BASE_URL"].rstrip("/") + path)
