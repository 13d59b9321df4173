"""The named signals through which the areas talk without importing each other.

An area that must react to another's event (a hearing moved, someone suspended), or add
something to another's page (a card on the start page, a button on a courthouse page, a
section on the account page, demo data), connects a receiver here. ``create_app`` does all the
connecting, area by area in one visible list (``courtwatch.areas``), with the app as the sender:
nothing is wired by importing a module, and two apps in one process (the tests) never share
receivers.

Receivers run in the order they were connected (blinker's default set is unordered; an
insertion-ordered one is swapped in), so the order of the list in ``courtwatch.areas`` is the
order of the cards on the start page and of the demo loaders, whatever order Python happened to
import the modules in.
"""

from __future__ import annotations

from typing import Any

from blinker import NamedSignal
from flask import current_app


class _ConnectionOrder(dict):
    """The set of receiver ids blinker keeps, in connection order (a dict's keys are ordered)."""

    def add(self, item) -> None:
        self[item] = None

    def discard(self, item) -> None:
        self.pop(item, None)

    def copy(self) -> _ConnectionOrder:
        return _ConnectionOrder(self)

    def __or__(self, other) -> _ConnectionOrder:
        merged = _ConnectionOrder(self)
        merged.update(dict.fromkeys(other))
        return merged


class OrderedSignal(NamedSignal):
    set_class = _ConnectionOrder


def _signal(name: str, doc: str) -> OrderedSignal:
    return OrderedSignal(name, doc)


# ---------------------------------------------------------------- events

hearing_changed = _signal(
    "hearing-changed",
    """A hearing changed; sent after the change is flushed, in its transaction.

Keyword arguments: ``hearing``, ``event`` (one of "moved", "room_changed", "cancelled",
"reinstated", "accompaniment_needed", "accompaniment_not_needed", "request_saved") and ``change`` (the
HearingChange row, or None). The shifts area moves or cancels the accompaniment shift.""",
)

case_need_carried = _signal(
    "case-need-carried",
    """A coordinator carried a case's accompaniment need to its next hearing; sent after the
new hearing was marked as needing accompaniment (so its shift exists), in the same transaction.

Keyword arguments: ``previous`` (the earlier hearing) and ``hearing`` (the new one). The shifts
area offers the new shift first to the volunteers who went to the earlier one.""",
)

user_suspended = _signal(
    "user-suspended",
    """An account was suspended; sent inside the suspending transaction.

Keyword argument: ``user``. The feeds area revokes calendar links; the shifts area releases the
person's future claims.""",
)

closure_conflicts = _signal(
    "closure-conflicts",
    """Proposed closure days, before they are saved: what would they touch? (The preview.)

Keyword arguments: ``closed`` ({courthouse id: {local date: label}}) and ``now``. Each receiver
returns a list of ``courtwatch.courts.closures.ClosureConflict``; it changes nothing.""",
)

courthouse_closed = _signal(
    "courthouse-closed",
    """Closure days were added; sent after they are flushed, in their transaction.

Keyword arguments: ``closed`` ({courthouse id: {local date: label}}), ``actor`` and ``now``.
The shifts area cancels the shifts on those days (their volunteers are told) and returns how
many it cancelled.""",
)

observation_stored = _signal(
    "observation-stored",
    """A report was stored (submitted or changed); sent after the flush, in its transaction.

Keyword argument: ``observation``. The rapid-response area raises an alert when what was stored
says agents were present and someone was arrested or nearly so. A receiver returns True when an
alert covers the report (its message to coordinators links the report); the observations area
then sends coordinators no separate urgent notice about it.""",
)

# ---------------------------------------------------------------- contributions to other areas' pages

home_cards = _signal("home-cards", """Cards for the start page: each receiver returns Markup or None.""")

account_sections = _signal("account-sections", """Sections for /account: each receiver returns Markup or None.""")

courthouse_actions = _signal(
    "courthouse-actions",
    """Buttons for a courthouse page.

Keyword argument: ``courthouse``. Each receiver returns a list of (url, label).""",
)

hearing_staffing = _signal(
    "hearing-staffing",
    """Who went to these hearings, for a case's timeline.

Keyword argument: ``hearing_ids``. Each receiver returns {hearing id: list of (label, status, first
names)}: the shifts area's accompaniment shift of each hearing and the first names of the people
who held it.""",
)

person_sections = _signal(
    "person-sections",
    """Sections for a coordinator's page about one volunteer.

Keyword argument: ``user``. Each receiver returns Markup or None.""",
)

training_grant_checks = _signal(
    "training-grant-checks",
    """Before a training is recorded for someone: may it be?

Keyword arguments: ``user``, ``training``. Each receiver returns None, or the message saying why
not (the first one refuses the grant).""",
)

demo_data_requested = _signal(
    "demo-data-requested",
    """``flask demo load`` after people and courthouses exist.

Keyword argument: ``context`` (admin, coordinator, volunteers, courthouses by slug, password).""",
)


def send(signal: OrderedSignal, **kwargs: Any) -> list[Any]:
    """Send ``signal`` from the current app; the receivers' return values, in connection order."""
    return [value for _receiver, value in signal.send(current_app._get_current_object(), **kwargs)]


def collect(signal: OrderedSignal, **kwargs: Any) -> list[Any]:
    """The non-empty contributions to a page, in connection order."""
    return [value for value in send(signal, **kwargs) if value]
