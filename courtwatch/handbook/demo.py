"""Demo training pages for `flask demo load`, so /training has something to read and to mark."""

from __future__ import annotations

from flask import current_app

from courtwatch.auth.services import get_or_create_training
from courtwatch.handbook.training import mark_read, save_page

PAGES = [
    (
        "Before the hearing",
        "## Meeting the person\n\n- Arrive 30 minutes early at the meeting point.\n- Introduce yourself by first "
        "name only.\n- Never write down or share the person's details.\n\n## What to bring\n\n- Your phone, "
        "charged.\n- The know-your-rights card.",
    ),
    (
        "If agents approach",
        "## Stay calm and watch\n\n- Do not block or touch anyone.\n- Ask the agents whether they have a "
        "**judicial** warrant, signed by a judge.\n- Note the time, the number of agents, badges and vehicles, "
        "then file a report.",
    ),
]


def load_demo_pages(context: dict) -> None:
    coordinator = context["coordinator"]
    training = get_or_create_training(current_app.config["ACCOMPANIMENT_TRAINING"])
    pages = [save_page(coordinator, training_id=training.id, title=title, body=body) for title, body in PAGES]
    # The first demo volunteer has read the first page: the roster shows one read, one not.
    if context["volunteers"]:
        mark_read(context["volunteers"][0], pages[0])
