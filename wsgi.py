"""The WSGI entry point: ``gunicorn wsgi:app``."""

from courtwatch import create_app

app = create_app()
