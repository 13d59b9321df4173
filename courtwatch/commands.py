"""What every CLI command shares: one transaction, and a clean one-line error with exit status 2."""

from __future__ import annotations

import functools

import click

from courtwatch.db import db
from courtwatch.errors import DomainError


class CommandError(click.ClickException):
    """Printed as one line on stderr ("Error: ..."), exit status 2, never a traceback."""

    exit_code = 2


def transactional(command):
    """Commit when the command finishes, roll back if it fails; a DomainError becomes CommandError."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            result = command(*args, **kwargs)
        except DomainError as error:
            db.session.rollback()
            raise CommandError(error.message) from None
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return result

    return wrapper
