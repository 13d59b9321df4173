"""How the handbook area plugs into the others: the training grant rule and the volunteer's page.
``courtwatch.areas`` connects these receivers to the signals."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from courtwatch.handbook import training as training_pages


def refuse_unread_training(_app, *, user, training) -> str | None:
    return training_pages.grant_refusal(user, training)


def person_reading_section(_app, *, user) -> Markup | None:
    """On a coordinator's page about a volunteer: which training pages they have read, and when."""
    groups = []
    for training, pages in training_pages.list_trainings_with_pages():
        if pages:
            groups.append((training, training_pages.read_states(user, pages)))
    if not groups:
        return None
    return Markup(render_template("handbook/_person_reading.html", groups=groups, person=user))


def load_demo_data(_app, *, context: dict) -> None:
    from courtwatch.handbook.demo import load_demo_pages

    load_demo_pages(context)
