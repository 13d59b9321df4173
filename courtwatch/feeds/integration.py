"""What the feeds area does when other areas speak (connected by ``courtwatch.areas``)."""

from __future__ import annotations

from markupsafe import Markup

from courtwatch.feeds import services


def revoke_on_suspension(_app, *, user) -> None:
    """Suspending someone must cut off the calendar servers that poll their feeds, too."""
    services.revoke_all(None, user)


def account_section(_app) -> Markup | None:
    from courtwatch.feeds import link_views  # a view module: loaded with the page, not by commands

    return link_views.account_section()
