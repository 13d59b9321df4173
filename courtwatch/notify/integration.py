"""What the notify area answers to other areas' signals (wired in ``courtwatch/areas.py``)."""

from __future__ import annotations

from markupsafe import Markup


def account_section(_sender=None, **_kwargs) -> Markup | None:
    from courtwatch.notify.views import account_section as section

    return section()
