"""Dashboard charts (kpis/charts.py): pure functions, tested without the database."""

import datetime as dt
import json
from decimal import Decimal

from kpis import charts


def rep_row(rep_id, name, **kpis):
    return {"rep": {"id": rep_id, "name": name}, **kpis}


def test_attainment_bars_are_percent_coloured_by_band_with_80_and_100_lines():
    rows = [
        rep_row(1, "Ann", attainment=Decimal("1.25"), pace=Decimal("1.3"), band="on_target"),
        rep_row(2, "Bob", attainment=Decimal("0.5"), pace=Decimal("0.7"), band="at_risk"),
        rep_row(3, "Cem", attainment=None, band=None),  # no quota: left out
    ]
    figure = charts.attainment_figure(rows)
    (bars,) = figure.data
    assert list(bars.y) == ["Ann", "Bob"]
    assert list(bars.x) == [125.0, 50.0]
    assert list(bars.marker.color) == ["#1a7f37", "#b42318"]
    assert sorted(shape.x0 for shape in figure.layout.shapes) == [80, 100]
    assert "pace 70.0 %" in bars.hovertext[1]


def test_attainment_without_any_quota_is_an_empty_chart():
    figure = charts.attainment_figure([rep_row(1, "Ann", attainment=None)])
    assert list(figure.data[0].x) == []


def test_the_attainment_axis_title_stands_off_its_tick_labels():
    figure = charts.attainment_figure([rep_row(1, "Ann", attainment=Decimal("0.6"))])
    assert figure.layout.xaxis.automargin is True
    assert figure.layout.xaxis.title.standoff


def test_funnel_steps_give_conversions_and_undefined_when_previous_step_is_zero():
    row = {"contacts": 40, "discovery_meetings": 10, "proposal_meetings": 0, "offers_submitted": 0, "deals_won": 0}
    steps = charts.funnel_steps(row)
    assert [s["value"] for s in steps] == [40, 10, 0, 0, 0]
    # contacts has no step before; 10 / 40 = 25 %; 0 / 10 = 0 %; 0 / 0 is undefined
    assert [s["conversion"] for s in steps] == [None, Decimal("0.25"), Decimal("0"), None, None]


def test_funnel_figure_labels_each_step_with_count_and_conversion():
    row = {"contacts": 40, "discovery_meetings": 10, "proposal_meetings": 5, "offers_submitted": 4, "deals_won": 1}
    (funnel,) = charts.funnel_figure(row).data
    assert list(funnel.y) == ["Contacts", "Discovery meetings", "Proposal meetings", "Offers", "Won"]
    assert list(funnel.text) == ["40", "10 (25.0 %)", "5 (50.0 %)", "4 (80.0 %)", "1 (25.0 %)"]


def test_trends_have_one_panel_per_series_over_the_weeks():
    series = [
        {"week": dt.date(2026, 11, 9), "won_revenue": Decimal("1000.00"), "offers_submitted": 2, "discovery_meetings": 3},
        {"week": dt.date(2026, 11, 16), "won_revenue": Decimal("0"), "offers_submitted": 0, "discovery_meetings": 5},
    ]
    figure = charts.trends_figure(series)
    revenue, offers, discovery = figure.data
    assert list(revenue.x) == ["2026-11-09", "2026-11-16"]
    assert list(revenue.y) == [1000.0, 0.0]
    assert (revenue.type, offers.yaxis, discovery.yaxis) == ("bar", "y2", "y3")
    assert list(discovery.y) == [3.0, 5.0]


def test_pipeline_charts_show_amount_and_weighted_amount():
    by_stage = [
        {"stage": "Proposal", "amount": Decimal("1000.00"), "weighted": Decimal("500.00"), "count": 2},
        {"stage": "Negotiation", "amount": Decimal("400.00"), "weighted": Decimal("300.00"), "count": 1},
    ]
    amount, weighted = charts.pipeline_by_stage_figure(by_stage).data
    assert list(amount.x) == ["Proposal", "Negotiation"]
    assert list(weighted.y) == [500.0, 300.0]

    by_month = [
        {"month": dt.date(2026, 12, 1), "amount": Decimal("10"), "weighted": Decimal("5"), "count": 1},
        {"month": None, "amount": Decimal("7"), "weighted": Decimal("1"), "count": 1},
    ]
    amount, _weighted = charts.pipeline_by_month_figure(by_month).data
    assert list(amount.x) == ["2026-12", "No date"]


def test_figures_serialise_to_json_for_the_page():
    figure = charts.funnel_figure({"contacts": 1})
    assert json.loads(figure.to_json())["data"][0]["type"] == "funnel"


def test_user_text_never_renders_as_a_link_or_markup():
    name = '<a href="javascript:alert(1)">Click</a> <b>&</b>'
    figure = charts.attainment_figure([rep_row(1, name, attainment=Decimal("0.5"), pace=Decimal("0.6"), band="at_risk")])
    stages = charts.pipeline_by_stage_figure([{"stage": name, "amount": 10, "weighted": 5, "count": 1}])
    for text in (str(json.loads(figure.to_json())), str(json.loads(stages.to_json()))):
        assert "<a" not in text and "<b>" not in text
        assert "&lt;a href=" in text


def test_every_chart_is_written_out_as_plotly_would_write_the_validated_figure(settings):
    """Figures skip go.Figure's validation on the page: their JSON must be what it would give."""
    from django.utils import translation

    from coaching.charts import coaching_share_figure

    week = dt.date(2025, 6, 2)

    def figures():
        return [
            charts.attainment_figure(
                [
                    rep_row(i, f"R<{i}> & co", attainment=Decimal("0.8") + Decimal(i) / 100, pace=Decimal("0.9"), band="close")
                    for i in range(5)
                ]
                + [rep_row(9, "No band", attainment=Decimal("1.2"), pace=None, band=None)]
            ),
            charts.funnel_figure({"contacts": 10, "discovery_meetings": 5, "offers_submitted": 2, "deals_won": 1}),
            charts.funnel_figure({}),
            charts.trends_figure(
                [
                    {"week": week + dt.timedelta(weeks=i), "won_revenue": Decimal("100.50") * i, "offers_submitted": i}
                    for i in range(12)
                ]
            ),
            charts.trends_figure([]),
            charts.pipeline_by_stage_figure(
                [{"stage": "A&B", "amount": Decimal("10.5"), "weighted": Decimal("5.25"), "count": 3}]
            ),
            charts.pipeline_by_month_figure(
                [
                    {"month": dt.date(2025, 6, 1), "amount": Decimal("10.5"), "weighted": Decimal("5"), "count": 3},
                    {"month": None, "amount": Decimal("1"), "weighted": Decimal("0"), "count": 1},
                ]
            ),
            charts.segment_growth_figure(
                [{"value": "SMB", **{k: {"won_revenue": Decimal("12.5")} for k in ("current", "previous", "year_ago")}}]
            ),
            coaching_share_figure([{"week": week, "share": Decimal("0.125")}, {"week": week, "share": None}], Decimal("0.2")),
        ]

    for language in ("en", "hu", "fa"):
        with translation.override(language):
            for figure in figures():
                assert json.loads(figure.to_json()) == json.loads(figure.validated().to_json())
