"""plotly.js's styles ship as files that match the pinned plotly.js, so charts need no inline <style>."""

from __future__ import annotations

from pathlib import Path

from salesperf import plotlycss

ROOT = Path(__file__).resolve().parents[2]


def test_plotly_css_matches_the_pinned_plotly_js():
    # After a plotly upgrade: python -m salesperf.plotlycss, and update the id in the partial.
    assert (ROOT / "static/css/plotly.css").read_text() == plotlycss.pinned_css()


def test_the_map_styles_match_and_carry_the_id_plotly_js_looks_for():
    map_id, css = plotlycss.pinned_map_style()
    assert (ROOT / "static/css/plotly-maps.css").read_text() == css + "\n"
    partial = (ROOT / "kpis/templates/kpis/_partials/plotly_styles.html").read_text()
    assert f'id="{map_id}"' in partial
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in partial


def test_the_rules_are_read_as_plotly_js_reads_them():
    js = 'x={"X,X div":\'direction:ltr;\',"Y .notifier-note":"color:#fff;"};for(bV in I0e)'
    assert plotlycss.extract_rules(js) == {
        ".js-plotly-plot .plotly,.js-plotly-plot .plotly div": "direction:ltr;",
        ".plotly-notifier .notifier-note": "color:#fff;",
    }
