"""Courtwatch and a bare Flask route in one WSGI app, so gunicorn serves both from the same worker.

    gunicorn --chdir CHECKOUT --pythonpath bench beside_bare:app

``/bare`` is a Flask app with one route returning "ok" and nothing else (no extensions, no hooks):
the floor a request costs under this server. Every other path goes to ``create_app()`` of the
checkout gunicorn runs in (``--chdir``), configured from COURTWATCH_* variables as in production.
bench/bench_requests.py drives it.
"""

from flask import Flask

from courtwatch import create_app

courtwatch_app = create_app()
# As wsgi.py does: the views before the first request (older checkouts load them in create_app).
getattr(courtwatch_app, "load_views", lambda: None)()
bare = Flask("bare")


@bare.route("/bare")
def bare_route():
    return "ok\n"


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/bare":
        return bare(environ, start_response)
    return courtwatch_app(environ, start_response)
