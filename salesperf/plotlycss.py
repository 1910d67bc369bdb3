"""plotly.js's page styles as a stylesheet, so charts need no inline ``<style>`` under our CSP.

plotly.js injects its global rules into a ``<style id="plotly.js-style-global">`` element unless
the page already has an element of that id with the class ``no-inline-styles``, and the map
library's styles into a ``<style>`` whose id is a hash unless an element has that id. Pages with
charts therefore include ``kpis/_partials/plotly_styles.html``, which links both as files with
those ids. This module writes the files from the pinned ``plotly.min.js`` (a test checks they agree):

    python -m salesperf.plotlycss
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from salesperf.staticfinders import _package_data_dir

# The rules object in plotly.min.js: {"X,X div":"direction:ltr;...", ...}; X and Y are
# placeholders for the plot and the notifier, replaced the way plotly.js replaces them.
_RULES = re.compile(r"\{(\"X,X div\":.*?)\};for\(", re.S)
_STRING = r"(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
_PAIR = re.compile(_STRING + r"\s*:\s*" + _STRING)


# The map library's styles: if(!document.getElementById("<hash>")){...e.textContent='<css>'
_MAP_STYLE = re.compile(
    r"getElementById\(\"([0-9a-f]{64})\"\)\)\{var (\w)=document\.createElement\(\"style\"\);"
    r"\2\.id=\"\1\",\2\.textContent=" + _STRING
)


def _unquote(literal: str) -> str:
    return literal[1:-1].replace("\\'", "'").replace('\\"', '"')


def extract_rules(js: str) -> dict[str, str]:
    """Selector → declarations, as plotly.js adds them with ``addStyleRule``."""
    match = _RULES.search(js)
    if match is None:
        raise ValueError("plotly.js's style rules were not found; has plotly.js changed how it adds them?")
    rules = {}
    for key, value in _PAIR.findall(match.group(1)):
        selector = _unquote(key)
        selector = re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules[selector] = _unquote(value)
    return rules


def render_css(rules: dict[str, str]) -> str:
    lines = ["/* plotly.js's own styles (written by salesperf/plotlycss.py from the pinned plotly.min.js). */"]
    lines += [f"{selector} {{{declarations}}}" for selector, declarations in rules.items()]
    return "\n".join(lines) + "\n"


def extract_map_style(js: str) -> tuple[str, str]:
    """The id plotly.js gives the map library's ``<style>`` element, and its CSS."""
    match = _MAP_STYLE.search(js)
    if match is None:
        raise ValueError("the map library's styles were not found; has plotly.js changed how it adds them?")
    return match.group(1), _unquote(match.group(3))


def _pinned_js() -> str:
    return (_package_data_dir() / "plotly.min.js").read_text(encoding="utf-8")


def pinned_css() -> str:
    return render_css(extract_rules(_pinned_js()))


def pinned_map_style() -> tuple[str, str]:
    return extract_map_style(_pinned_js())


def main() -> None:
    static = Path(__file__).resolve().parent.parent / "static" / "css"
    (static / "plotly.css").write_text(pinned_css(), encoding="utf-8")
    map_id, map_css = pinned_map_style()
    (static / "plotly-maps.css").write_text(map_css + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote plotly.css and plotly-maps.css; the map styles' id is {map_id}\n")


if __name__ == "__main__":
    main()
