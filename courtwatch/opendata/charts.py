"""The public charts, drawn on the server as SVG from a publication's (already suppressed) tables.

No JavaScript and nothing from another host: an embedding site gets an image. A suppressed
count is drawn as no bar and its label says "suppressed", so a chart never shows more than the
table beside it. matplotlib runs with an explicit ``Figure`` (no pyplot global state), as the
staff charts do, and the text stays text (readable by screen readers and crisp in print).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from flask_babel import gettext as _  # noqa: E402
from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from courtwatch.opendata.publication import PublishedTable  # noqa: E402

STYLE = {
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "courtwatch-opendata",
}
BAR_COLOUR = "#0b5cad"  # the site's link blue: readable in grey print too
MAX_BARS = 60


def table_chart(table: PublishedTable, title: str) -> bytes:
    """Incidents per row: vertical bars for months, horizontal bars (long names) otherwise."""
    rows = table.rows[:MAX_BARS]
    labels = [row.label if row.counts["incidents"] is not None else f"{row.label} ({_('suppressed')})" for row in rows]
    values = [row.counts["incidents"] or 0 for row in rows]
    with rc_context(STYLE):
        if table.dimension == "month":
            figure = Figure(figsize=(7.5, 3.2))
            axes = figure.subplots()
            axes.bar(labels, values, color=BAR_COLOUR)
            axes.set_ylabel(_("Confirmed incidents"))
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            axes.tick_params(axis="x", labelrotation=60 if len(labels) > 6 else 0)
        else:
            figure = Figure(figsize=(7.5, max(1.6, 0.3 * len(labels) + 0.9)))
            axes = figure.subplots()
            axes.barh(labels[::-1], values[::-1], color=BAR_COLOUR)
            axes.set_xlabel(_("Confirmed incidents"))
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(title)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
        return buffer.getvalue()
