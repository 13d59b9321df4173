"""Charts drawn on the server as SVG: no JavaScript, nothing loaded from another host, crisp in print.

matplotlib runs with the Agg backend (no display) and an explicit ``Figure`` object instead of
pyplot's global state, so two requests drawing at once never draw into each other's chart.
Text stays text in the SVG (``svg.fonttype: none``): smaller files, and readable by screen readers.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from flask_babel import gettext as _  # noqa: E402
from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from courtwatch.observations.models import ACTION_LABELS  # noqa: E402
from courtwatch.reports.summaries import INCIDENT_ACTIONS, IncidentSeries  # noqa: E402

# Colour-blind-safe (Okabe-Ito), also distinct when printed in grey.
ACTION_COLOURS = {"sighting": "#E69F00", "attempted_arrest": "#56B4E9", "arrest": "#D55E00"}
STYLE = {
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "courtwatch",
}


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def _integer_axis(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def incidents_per_month_chart(summary: IncidentSeries) -> bytes:
    months = list(summary.month_action)
    with rc_context(STYLE):
        figure = Figure(figsize=(7.5, 3.2))
        axes = figure.subplots()
        bottoms = [0] * len(months)
        for action in INCIDENT_ACTIONS:
            values = [summary.month_action[m].get(action, 0) for m in months]
            axes.bar(
                months,
                values,
                bottom=bottoms,
                label=str(ACTION_LABELS[action]),
                color=ACTION_COLOURS[action.value],
                edgecolor="#333333",
                linewidth=0.4,
            )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        axes.set_title(_("Incidents per month, by action"))
        axes.set_ylabel(_("Incidents"))
        _integer_axis(axes.yaxis)
        axes.tick_params(axis="x", labelrotation=60 if len(months) > 8 else 0)
        axes.legend(frameon=False, fontsize=8)
        return _svg(figure)


def incidents_per_courthouse_chart(summary: IncidentSeries) -> bytes:
    pairs = summary.courthouse_incidents[:40]  # one bar per courthouse; more would be unreadable
    names = [name for name, _count in pairs][::-1]
    counts = [count for _name, count in pairs][::-1]
    with rc_context(STYLE):
        figure = Figure(figsize=(7.5, max(1.6, 0.32 * len(names) + 0.9)))
        axes = figure.subplots()
        axes.barh(names, counts, color="#0b5cad")
        axes.set_title(_("Incidents per courthouse"))
        axes.set_xlabel(_("Incidents"))
        _integer_axis(axes.xaxis)
        return _svg(figure)


CHARTS = {"months": incidents_per_month_chart, "courthouses": incidents_per_courthouse_chart}


def warm_up() -> None:
    """Load matplotlib and draw one throwaway chart, so a worker's first /reports is not the one
    that waits seconds for the import, the font cache and the SVG backend. Called by ``wsgi.py``
    as each server worker starts; never by ``create_app``, so CLI commands stay quick to start."""
    with rc_context(STYLE):
        figure = Figure(figsize=(1, 1))
        axes = figure.subplots()
        axes.bar(["a"], [1])
        axes.set_title("warm-up")
        _integer_axis(axes.yaxis)
        _svg(figure)
