"""Coaching charts: pure functions from selector output to plotly figures (as kpis/charts.py),
each with the table that gives the same numbers as its text alternative."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kpis.charts import ACCENT, BAND_COLOURS, Figure, _layout


def coaching_share_figure(weeks: Sequence[Mapping[str, Any]], ideal: Decimal) -> Figure:
    """The coach's share of working time spent coaching, per week, against the ideal (a dashed line)."""
    labels = [row["week"].isoformat() for row in weeks]
    values = [round(float(row["share"] or 0) * 100, 1) for row in weeks]
    ideal_percent = float(ideal * 100)
    top = max([*values, ideal_percent]) * 1.15
    data = [
        {
            "type": "bar",
            "x": labels,
            "y": values,
            "marker": {"color": ACCENT},
            "text": [f"{v:.0f} %" for v in values],
            "textposition": "auto",
            "hovertext": [
                _("Week of %(week)s: %(share)s %% of working time") % {"week": label, "share": f"{v:.1f}"}
                for label, v in zip(labels, values, strict=True)
            ],
            "hoverinfo": "text",
        }
    ]
    layout = _layout(
        height=260,
        margin={"l": 8, "r": 8, "t": 24, "b": 40},
        xaxis={"type": "category", "title": {"text": _("Week (Monday)")}},
        yaxis={"range": [0, top], "ticksuffix": " %", "gridcolor": "#eef1f4", "automargin": True},
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": ideal_percent,
                "y1": ideal_percent,
                "line": {"color": BAND_COLOURS["on_target"], "width": 2, "dash": "dash"},
            }
        ],
        annotations=[
            {
                "x": 1,
                "y": ideal_percent,
                "xref": "paper",
                "yref": "y",
                "text": _("ideal: %(share)s %%") % {"share": f"{ideal_percent:.0f}"},
                "showarrow": False,
                "xanchor": "right",
                "yanchor": "bottom",
            }
        ],
    )
    return Figure(data, layout)
