"""`flask feeds url EMAIL`: mint a calendar link for someone (support), and revoke them all."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from courtwatch.commands import transactional
from courtwatch.feeds import services

feeds_cli = AppGroup("feeds", help="Calendar subscription links.")


@feeds_cli.command("url")
@click.argument("email")
@click.option("--label", default="", help='A name for the link (e.g. "my phone").')
@transactional
def url_command(email: str, label: str) -> None:
    """Create a new link to EMAIL's shifts and print its URL (shown only this once)."""
    user = services.user_for_support(email)
    _token, plaintext = services.create_token(user, label=label or "support")
    click.echo(services.feed_url(plaintext))


@feeds_cli.command("revoke-all")
@click.argument("email")
@transactional
def revoke_all_command(email: str) -> None:
    """Revoke every calendar link of EMAIL (a lost phone, a leaked link)."""
    user = services.user_for_support(email)
    count = services.revoke_all(None, user)
    click.echo(f"revoked {count} calendar link(s) of {user.email}")
