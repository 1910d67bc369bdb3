"""Dashboard charts: pure functions from selector output to plotly figures.

The inputs are the dicts of ``kpis.selectors`` (``kpi_table`` rows, ``weekly_series``
weeks) and of ``kpis.dashboard_selectors`` (pipeline by stage / by expected close month);
nothing here touches the database. Figures are built from plain dicts and sent as they are
(``Figure``): building them through plotly's update helpers, or even validating them with
``go.Figure``, costs milliseconds per figure, which the dashboard's time budget cannot spare.

Each chart also has a ``*_table`` twin giving the same numbers as rows for the text
alternative under the chart (screen readers, printing, phones).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from plotly.utils import PlotlyJSONEncoder

from salesperf import l10n

# The band colours of static/css/salesperf.css, so the chart and the table agree.
BAND_COLOURS = {"at_risk": "#b42318", "close": "#9a6700", "on_target": "#1a7f37"}
NO_BAND_COLOUR = "#8c959f"
ACCENT = "#0b5cad"
LIGHT = "#9ec5ee"
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, sans-serif", "size": 13}

# The funnel of the shared KPI definitions: contacts → discovery → proposal → offers → won.
FUNNEL_STEPS: tuple[tuple[str, Any], ...] = (
    ("contacts", gettext_lazy("Contacts")),
    ("discovery_meetings", gettext_lazy("Discovery meetings")),
    ("proposal_meetings", gettext_lazy("Proposal meetings")),
    ("offers_submitted", gettext_lazy("Offers")),
    ("deals_won", pgettext_lazy("funnel step", "Won")),
)


def _layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": FONT,
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "autosize": True,
        "showlegend": False,
        # plotly.py's default template is a large dict deep-copied into every figure (most of a
        # figure's build time) and sent with it; our layout sets what we want from it. This is
        # plotly's "none" template as go.Figure writes it out.
        "template": {"data": {"scatter": [{"type": "scatter"}]}},
        # Decimal and thousands separators of the reader's language (plotly's d3 formats).
        "separators": l10n.plotly_separators(),
    }
    layout.update(extra)
    return layout


class Figure:
    """A plotly figure as the plain dicts plotly.js reads, written out as they are.

    ``go.Figure`` validates every property on the way in (1–5 ms a figure: a dashboard's five
    charts took a tenth of its time) and writes the same JSON (``tests/kpis/test_charts.py``
    checks that the two agree for every chart). Attribute access (``figure.data``,
    ``figure.layout``) goes to the validated figure, built on first use: for tests and notebooks.
    """

    __slots__ = ("_validated", "spec")

    def __init__(self, data: list[dict[str, Any]], layout: dict[str, Any]) -> None:
        self.spec = {"data": data, "layout": layout}
        self._validated: go.Figure | None = None

    def to_json(self) -> str:
        return json.dumps(self.spec, cls=PlotlyJSONEncoder)

    def validated(self) -> go.Figure:
        if self._validated is None:
            self._validated = go.Figure(self.spec)
        return self._validated

    def __getattr__(self, name: str) -> Any:
        return getattr(self.validated(), name)


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> Figure:
    return Figure(data, layout)


def _number(value: Any) -> float:
    return float(value) if value is not None else 0.0


def _ratio(numerator: Any, denominator: Any) -> Decimal | None:
    """numerator / denominator, undefined (None) when the denominator is 0."""
    if not denominator:
        return None
    return Decimal(numerator or 0) / Decimal(denominator)


def _percent_text(ratio: Decimal | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.1f} %"


def plain(text: Any) -> str:
    """User text (a name) as plotly shows it: literally. Plotly reads ``<a href>``, ``<b>``
    and other tags in labels, so a name could become a link; escaped, it stays text."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rep_name(row: Mapping[str, Any]) -> str:
    who = row.get("rep") or row.get("team") or {}
    return plain(who.get("name", ""))


# --- attainment per rep ---------------------------------------------------------------------


def attainment_figure(rows: Sequence[Mapping[str, Any]]) -> Figure:
    """Attainment per rep as horizontal bars coloured by band, with the 80 % and 100 % lines.

    Reps without a quota for the period (no ``attainment``) are left out; the bars show
    attainment in percent, the hover text adds the pace and the band.
    """
    with_quota = [row for row in rows if row.get("attainment") is not None]
    names = [_rep_name(row) for row in with_quota]
    values = [round(_number(row["attainment"]) * 100, 1) for row in with_quota]
    colours = [BAND_COLOURS.get(str(row.get("band") or ""), NO_BAND_COLOUR) for row in with_quota]
    hover = [
        _("%(name)s: attainment %(attainment)s, pace %(pace)s")
        % {"name": name, "attainment": _percent_text(row["attainment"]), "pace": _percent_text(row.get("pace"))}
        for name, row in zip(names, with_quota, strict=True)
    ]
    top = max([*values, 110.0])
    lines = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": mark,
            "x1": mark,
            "y0": 0,
            "y1": 1,
            "line": {"color": colour, "width": 2, "dash": "dash"},
        }
        for mark, colour in ((80, BAND_COLOURS["close"]), (100, BAND_COLOURS["on_target"]))
    ]
    labels = [
        {"x": mark, "y": 1, "xref": "x", "yref": "paper", "text": f"{mark} %", "showarrow": False, "yanchor": "bottom"}
        for mark in (80, 100)
    ]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": values,
            "y": names,
            "marker": {"color": colours},
            "text": [f"{v:.0f} %" for v in values],
            "textposition": "auto",
            "hovertext": hover,
            "hoverinfo": "text",
        }
    ]
    layout = _layout(
        height=max(160, 28 * len(names) + 60),
        margin={"l": 8, "r": 8, "t": 24, "b": 30},
        # automargin and a standoff keep the title below the tick labels, not over them.
        xaxis={
            "title": {"text": _("Attainment (%)"), "standoff": 8},
            "automargin": True,
            "range": [0, top * 1.05],
            "ticksuffix": " %",
            "gridcolor": "#eef1f4",
        },
        yaxis={"autorange": "reversed", "automargin": True},
        shapes=lines,
        annotations=labels,
    )
    return _figure(data, layout)


# --- funnel ---------------------------------------------------------------------------------


def funnel_steps(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The funnel's steps with their counts and the conversion from the step before.

    The conversion of a step whose previous step is 0 is undefined (None), shown as "—".
    """
    steps: list[dict[str, Any]] = []
    previous: int | None = None
    for key, label in FUNNEL_STEPS:
        value = int(row.get(key) or 0)
        conversion = None if previous is None else _ratio(value, previous)
        steps.append({"key": key, "label": str(label), "value": value, "conversion": conversion})
        previous = value
    return steps


def funnel_figure(row: Mapping[str, Any]) -> Figure:
    """contacts → discovery meetings → proposal meetings → offers → won, with conversions."""
    steps = funnel_steps(row)
    text = [
        f"{step['value']}" if step["conversion"] is None else f"{step['value']} ({_percent_text(step['conversion'])})"
        for step in steps
    ]
    data = [
        {
            "type": "funnel",
            "y": [step["label"] for step in steps],
            "x": [step["value"] for step in steps],
            "text": text,
            "textinfo": "text",
            "textposition": "auto",  # small steps next to a big one get their text outside, readable
            "marker": {"color": [ACCENT, "#2f74c0", "#5a92d2", "#7fb0e3", BAND_COLOURS["on_target"]]},
            "connector": {"fillcolor": "#eef1f4"},
            "hoverinfo": "y+text",
        }
    ]
    return _figure(data, _layout(height=280, yaxis={"automargin": True}))


# --- weekly trends --------------------------------------------------------------------------

TREND_SERIES: tuple[tuple[str, Any, str], ...] = (
    ("won_revenue", gettext_lazy("Won revenue"), "y"),
    ("offers_submitted", gettext_lazy("Offers"), "y2"),
    ("discovery_meetings", gettext_lazy("Discovery meetings"), "y3"),
)


def _week(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def trends_figure(series: Sequence[Mapping[str, Any]]) -> Figure:
    """Weekly won revenue, offers and discovery meetings, one small panel each, weeks shared."""
    weeks = [_week(point["week"]) for point in series]
    colours = {"y": ACCENT, "y2": BAND_COLOURS["on_target"], "y3": "#8250df"}
    data: list[dict[str, Any]] = []
    for key, label, axis in TREND_SERIES:
        trace: dict[str, Any] = {
            "type": "scatter",
            "mode": "lines+markers",
            "name": str(label),
            "x": weeks,
            "y": [_number(point.get(key)) for point in series],
            "yaxis": axis,
            "marker": {"color": colours[axis]},
        }
        if key == "won_revenue":
            trace = {**trace, "type": "bar"}
            del trace["mode"]
        data.append(trace)
    layout = _layout(
        height=420,
        showlegend=False,
        margin={"l": 8, "r": 8, "t": 24, "b": 30},
        xaxis={"type": "date", "tickformat": "%d %b", "anchor": "y3", "automargin": True},
        yaxis={"domain": [0.70, 1.0], "title": {"text": _("Won revenue")}, "automargin": True, "rangemode": "tozero"},
        yaxis2={"domain": [0.36, 0.64], "title": {"text": _("Offers")}, "automargin": True, "rangemode": "tozero"},
        yaxis3={"domain": [0.0, 0.30], "title": {"text": _("Discovery")}, "automargin": True, "rangemode": "tozero"},
    )
    return _figure(data, layout)


# --- pipeline -------------------------------------------------------------------------------


def _pipeline_bars(labels: list[str], rows: Sequence[Mapping[str, Any]], *, counts: bool, xaxis: dict[str, Any]) -> Figure:
    """Amount and probability-weighted amount of open deals, as grouped bars per label."""
    amount = {
        "type": "bar",
        "name": _("Amount"),
        "x": labels,
        "y": [_number(row["amount"]) for row in rows],
        "marker": {"color": LIGHT},
        "hovertemplate": "%{x}: %{y:,.2f}<extra></extra>",
    }
    if counts:
        amount["text"] = [str(row.get("count", "")) for row in rows]
    weighted = {
        "type": "bar",
        "name": _("Weighted"),
        "x": labels,
        "y": [_number(row["weighted"]) for row in rows],
        "marker": {"color": ACCENT},
        "hovertemplate": "%{x}: %{y:,.2f}<extra></extra>",
    }
    layout = _layout(
        height=300,
        barmode="group",
        showlegend=True,
        legend={"orientation": "h", "y": 1.12},
        margin={"l": 8, "r": 8, "t": 30, "b": 8},
        xaxis={"automargin": True, **xaxis},
        yaxis={"automargin": True, "rangemode": "tozero", "gridcolor": "#eef1f4"},
    )
    return _figure([amount, weighted], layout)


def pipeline_by_stage_figure(rows: Sequence[Mapping[str, Any]]) -> Figure:
    """Open pipeline per stage (in pipeline order): amount (with the number of deals) and
    probability-weighted amount.

    Rows: ``{"stage": name, "amount", "weighted", "count"}`` as given by
    ``kpis.dashboard_selectors.pipeline_snapshot``.
    """
    return _pipeline_bars([plain(row["stage"]) for row in rows], rows, counts=True, xaxis={})


def pipeline_by_month_figure(rows: Sequence[Mapping[str, Any]]) -> Figure:
    """Open pipeline by expected close month: amount and weighted amount.

    Rows: ``{"month": first day of the month or None (no date set), "amount", "weighted",
    "count"}``; the undated ones are shown as "No date".
    """
    months = [row["month"].strftime("%Y-%m") if row.get("month") else _("No date") for row in rows]
    return _pipeline_bars(months, rows, counts=False, xaxis={"type": "category"})


def segment_growth_figure(rows: Sequence[Mapping[str, Any]]) -> Figure:
    """Won revenue per segment value: the period, the same period a year before, the period
    before, as grouped bars. Rows: ``kpis.segments.segment_growth`` rows."""
    labels = [str(row["value"]) or _("(none)") for row in rows]
    series = (
        ("year_ago", _("A year before"), "#c9d1d9"),
        ("previous", _("Period before"), LIGHT),
        ("current", _("This period"), ACCENT),
    )
    traces = [
        {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": [_number(row[key]["won_revenue"]) for row in rows],
            "marker": {"color": colour},
            "hovertemplate": "%{x}: %{y:,.2f}<extra></extra>",
        }
        for key, name, colour in series
    ]
    layout = _layout(
        height=320,
        barmode="group",
        showlegend=True,
        legend={"orientation": "h", "y": 1.12},
        margin={"l": 8, "r": 8, "t": 30, "b": 8},
        xaxis={"automargin": True, "type": "category"},
        yaxis={"automargin": True, "rangemode": "tozero", "gridcolor": "#eef1f4"},
    )
    return _figure(traces, layout)
