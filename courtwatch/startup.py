"""Start-up without the cyclic garbage collector, and what it built kept out of its way.

Starting Courtwatch creates a few hundred thousand long-lived objects: modules, classes, the
models' tables and mappers, the extensions. While they are being made, the collector runs again
and again (every 700 new container objects) and walks every one made so far, looking for cycles
to free that are not there: about 0.2 s of the ~0.9 s CPU that `flask notify send-due` took to
start, and cron runs it every minute on every host. So importing the package and ``create_app``
run with the collector paused, and the first time each ends in a process, what it built moves
into the permanent generation (``gc.freeze``, as the Python documentation advises for servers
that start once and fork): later collections, in commands and in request handling alike, no
longer walk it. Later ``create_app`` calls in the same process (tests) only pause the collector:
freezing again would keep their garbage for good.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_frozen: set[str] = set()


@contextmanager
def collector_paused(stage: str) -> Iterator[None]:
    """Pause the collector (it resumes after, if it was on), and the first time ``stage`` ends in
    this process, freeze what exists (which also spares the one big collection resuming would
    start, over everything made while paused)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if stage not in _frozen:
            _frozen.add(stage)
            gc.freeze()
        if was_enabled:
            gc.enable()
