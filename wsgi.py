"""The WSGI entry point: ``gunicorn wsgi:app``.

Each server worker imports this module as it starts, so the charts' matplotlib is loaded and
warmed here, before the first request, rather than inside the first /reports a coordinator opens.
``create_app`` itself stays free of it, and of the view modules: CLI commands (cron, every minute)
must start quickly.
"""

from courtwatch import create_app
from courtwatch.reports.charts import warm_up

app = create_app()
app.load_views()  # before the first request, not inside it (courtwatch.application)
warm_up()
