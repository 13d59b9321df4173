"""Commands that load their modules only when they run.

Cron runs ``flask notify send-due`` every minute on every host; each start paid about 2 s of CPU
importing alembic (through Flask-Migrate), openpyxl and every other area's commands and services
that the command never uses. The app's CLI group therefore knows each command group by name and
imports its module only when that group is asked for (``flask --help`` imports them all, to show
their help), and ``app.extensions["migrate"]`` is a stand-in that sets Flask-Migrate up the first
time something reads it (``flask_migrate.upgrade()`` in tests, ``migrations/env.py``).
"""

from __future__ import annotations

import importlib
import os

import click
from flask import Flask
from flask.cli import AppGroup

from courtwatch.db import db

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


class LazyAppGroup(AppGroup):
    """The app's ``flask`` command group, with commands imported on first use."""

    def __init__(self, name: str):
        super().__init__(name)
        # name -> (module, attribute): imported when the command is looked up, never at start-up.
        self.lazy: dict[str, tuple[str, str]] = {"db": ("flask_migrate.cli", "db")}

    def add_lazy_command(self, name: str, module: str, attribute: str) -> None:
        self.lazy[name] = (module, attribute)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            module, attribute = self.lazy[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)


class LazyMigrate:
    """Stands in ``app.extensions["migrate"]`` until first read, then puts the real one there."""

    def __init__(self, app: Flask):
        self._app = app
        self._real = None

    def __getattr__(self, name: str):
        if self._real is None:
            from flask_migrate import Migrate

            Migrate().init_app(self._app, db, directory=MIGRATIONS, render_as_batch=True)
            self._real = self._app.extensions["migrate"]
        return getattr(self._real, name)


def init_app(app: Flask) -> None:
    """Before any blueprint registers its commands: they land in the lazy group."""
    group = LazyAppGroup(app.name)
    group.commands.update(app.cli.commands)
    app.cli = group
    app.extensions["migrate"] = LazyMigrate(app)
