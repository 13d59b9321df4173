"""`flask api token …`: issue, list and revoke partner tokens from the command line (audit-logged)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from courtwatch.api import tokens
from courtwatch.commands import transactional
from courtwatch.opendata.models import TOKEN_SCOPES

api_cli = AppGroup("api", help="The open-data API.")
token_cli = AppGroup("token", help="Partner tokens for de-identified incident rows.")
api_cli.add_command(token_cli)


@token_cli.command("create")
@click.option("--label", required=True, help='Who the token is for (e.g. "Immigrant Defense Coalition").')
@click.option("--scope", required=True, help=f"What it opens: {', '.join(TOKEN_SCOPES)}.")
@transactional
def create_command(label: str, scope: str) -> None:
    """Issue a token and print it (shown only this once; only its hash is kept)."""
    _token, plaintext = tokens.create_token(None, label=label, scope=scope)
    click.echo(plaintext)


@token_cli.command("list")
@transactional
def list_command() -> None:
    """Every token: id, prefix, scope, label, created, last used, revoked."""
    for token in tokens.list_tokens():
        click.echo(
            "\t".join(
                [
                    str(token.id),
                    token.prefix + "…",
                    token.scope,
                    token.label,
                    token.created_at.date().isoformat(),
                    token.last_used_at.date().isoformat() if token.last_used_at else "never used",
                    "revoked " + token.revoked_at.date().isoformat() if token.revoked_at else "live",
                ]
            )
        )


@token_cli.command("revoke")
@click.argument("token_id", type=int)
@transactional
def revoke_command(token_id: int) -> None:
    """Revoke the token with this id (see `flask api token list`)."""
    token = tokens.revoke_token(None, token_id)
    click.echo(f"revoked token {token.id} ({token.prefix}…, {token.label})")
