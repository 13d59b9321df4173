"""Publications kept in memory for as long as the HTTP answers say they may be cached.

Every public answer for a period needs the whole publication (the tables are suppressed together),
so the page, its eight charts and eight embeds, and each ``by=`` of the API would otherwise count
the same period over and over. A publication is kept per process for ``OPENDATA_CACHE_SECONDS``
(the ``max-age`` the answers already carry, so a reader sees nothing staler than a proxy could
serve), keyed by the period, the language and every setting that changes what is published; a
settings change is therefore visible at once. ``0`` turns the memory off.

Behind it, every process and host shares the finished answers stored in the database under a
validator of their inputs (stored.py): a miss here costs the validator's queries and a read, and
counting only when the numbers changed. With the memory off, every answer is as fresh as the data.
"""

from __future__ import annotations

import threading
import time

from flask import current_app
from flask_babel import get_locale

from courtwatch.opendata.models import OpenDataSettings
from courtwatch.opendata.publication import Period, Publication
from courtwatch.opendata.stored import stored_publication

MAX_ENTRIES = 256  # periods x languages; a crawler walking every month pair must not grow memory forever


class PublicationMemory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple, tuple[float, Publication]] = {}

    def get(self, key: tuple, seconds: int) -> Publication | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] > seconds:
            return None
        return entry[1]

    def put(self, key: tuple, publication: Publication) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (time.monotonic(), publication)


def published_numbers(settings: OpenDataSettings, period: Period) -> Publication:
    """The publication for the period, from memory when it is fresh enough."""
    seconds = int(current_app.config["OPENDATA_CACHE_SECONDS"])
    if seconds <= 0:
        return stored_publication(settings, period)
    memory = current_app.extensions.setdefault("opendata_publications", PublicationMemory())
    key = (
        period.first_month,
        period.last_month,
        str(get_locale()),
        settings.sections,
        settings.threshold,
        settings.published_from,
    )
    publication = memory.get(key, seconds)
    if publication is None:
        publication = stored_publication(settings, period)
        memory.put(key, publication)
    return publication
