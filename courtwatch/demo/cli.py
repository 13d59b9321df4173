"""`flask demo load`: fill an empty database with a campaign worth looking at.

Other areas add their own demo data through the ``demo_data_requested`` signal (shifts,
hearings, reports), so
this module knows only about people and courthouses. It refuses to touch a database that
holds real (non-demo) accounts: demo passwords are printed on the screen.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from courtwatch import signals
from courtwatch.auth import services as auth_services
from courtwatch.auth.models import AccountStatus, Role, User
from courtwatch.commands import CommandError, transactional
from courtwatch.courts import services as court_services
from courtwatch.courts.models import Courthouse
from courtwatch.db import db

demo_cli = AppGroup("demo", help="Demo data.")

DEFAULT_PASSWORD = "hallway-witness-demo"

VOLUNTEERS = [
    ("Ana Morales", ["en", "es"], ["Accompaniment training", "Court watch training"]),
    ("Ben Okafor", ["en", "fr"], ["Accompaniment training", "Court watch training"]),
    ("Carla Souza", ["en", "pt"], ["Accompaniment training"]),
    ("Dmitri Ivanenko", ["en", "ru", "uk"], ["Court watch training"]),
    ("Esperanza Lopez", ["es", "en"], ["Court watch training", "Accompaniment training"]),
    ("Farah Haddad", ["en", "ar"], ["Court watch training"]),
    ("Gabriel Joseph", ["en", "ht", "fr"], ["Accompaniment training", "Court watch training"]),
    ("Hannah Kim", ["en", "ko"], []),
]


def _load_courthouses() -> list[Courthouse]:
    seed = json.loads((Path(__file__).parent / "courthouses.json").read_text())
    return [court_services.create_courthouse(None, **entry) for entry in seed]


@demo_cli.command("load")
@click.option("--password", default=DEFAULT_PASSWORD, show_default=True, help="Password for every demo account.")
@transactional
def load_command(password: str) -> None:
    """Load demo people, courthouses, hearings, shifts and reports (only into a fresh database)."""
    real_users = db.session.scalar(select(func.count()).select_from(User).where(User.is_demo.is_(False)))
    if real_users:
        raise CommandError("this database holds real accounts; demo data goes only into a fresh database")
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("demo data is already loaded")
        return

    def person(email, name, role, status=AccountStatus.ACTIVE, languages=("en",)):
        return auth_services.create_user(
            email=email, name=name, password=password, role=role, status=status, languages=list(languages), is_demo=True
        )

    admin = person("admin@example.org", "Alex Admin", Role.ADMIN)
    coordinator = person("coordinator@example.org", "Rosa Coordinator", Role.COORDINATOR, languages=("en", "es"))
    volunteers = []
    for number, (name, languages, trainings) in enumerate(VOLUNTEERS, start=1):
        volunteer = person(f"volunteer{number}@example.org", name, Role.VOLUNTEER, languages=languages)
        for offset, training_name in enumerate(trainings):
            training = auth_services.get_or_create_training(training_name)
            auth_services.record_training(
                coordinator, volunteer, training, date.today() - timedelta(days=40 + 10 * number + offset)
            )
        volunteers.append(volunteer)
    person(
        "newcomer@example.org", "Noor Newcomer", Role.VOLUNTEER, status=AccountStatus.PENDING, languages=("en", "ar")
    )
    courthouses = _load_courthouses()
    context = {
        "admin": admin,
        "coordinator": coordinator,
        "volunteers": volunteers,
        "courthouses": {c.slug: c for c in courthouses},
        "password": password,
    }
    signals.send(signals.demo_data_requested, context=context)
    click.echo(f"Demo data loaded. Log in at {current_app.config['BASE_URL']} with password {password!r} as:")
    click.echo(
        "  admin@example.org, coordinator@example.org, volunteer1@example.org ... "
        "volunteer8@example.org, newcomer@example.org (pending)"
    )
