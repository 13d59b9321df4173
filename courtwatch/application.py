"""The Flask class of Courtwatch: view modules load when something first needs a route.

Cron runs ``flask notify send-due`` every minute on every host, and such commands use no view:
importing the ~30 view modules (their forms, WTForms, the Markdown and phone-number libraries...)
cost about 0.2 s of CPU on each start. ``create_app`` therefore hands the blueprint registration
to ``defer_views``, and it runs the first time anything reads the URL map, the view functions or
the blueprints: the first request (its request context binds the URL map), a ``url_for`` in a
command's mail or link, ``flask routes``, a test reading ``app.view_functions``, Jinja looking up
a template. ``wsgi.py`` loads them before the server's first request. Nothing else about the app
differs: everything else ``create_app`` wires (hooks, signals, CLI, extensions) is there at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask


class Courtwatch(Flask):
    _views_loader: Callable[[Flask], None] | None = None
    _views_loading = False

    def __init__(self, *args, **kwargs):
        # A threaded server's first requests arrive together: one registers, the others wait for
        # it (a request served from a half-registered map would 404, and would close the setup).
        self._views_lock = threading.RLock()
        super().__init__(*args, **kwargs)

    def defer_views(self, loader: Callable[[Flask], None]) -> None:
        self._views_loader = loader

    def load_views(self) -> None:
        """Register the blueprints now if they are still waiting (idempotent, thread-safe)."""
        with self._views_lock:
            if self._views_loader is None or self._views_loading:
                return  # done, or this thread is registering them (registration reads the map)
            self._views_loading = True
            try:
                self._views_loader(self)
            finally:
                self._views_loading = False
                self._views_loader = None

    @property
    def url_map(self):
        if self._views_loader is not None:
            self.load_views()
        return self._url_map

    @url_map.setter
    def url_map(self, value) -> None:
        self._url_map = value

    @property
    def view_functions(self):
        if self._views_loader is not None:
            self.load_views()
        return self._view_functions

    @view_functions.setter
    def view_functions(self, value) -> None:
        self._view_functions = value

    @property
    def blueprints(self):
        if self._views_loader is not None:
            self.load_views()
        return self._blueprints

    @blueprints.setter
    def blueprints(self, value) -> None:
        self._blueprints = value
