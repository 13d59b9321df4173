"""What the courts area adds to other areas' pages (connected by ``courtwatch.areas``)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user


def courthouse_staff_actions(_app, *, courthouse) -> list[tuple[str, str]]:
    if not (current_user.is_authenticated and current_user.is_staff):
        return []
    return [
        (url_for("hearings.index", courthouse=courthouse.id), _("Hearings")),
        (url_for("imports.index", courthouse=courthouse.id), _("Import a calendar")),
        (url_for("closures.index", scope=f"courthouse:{courthouse.id}"), _("Closure days")),
    ]
