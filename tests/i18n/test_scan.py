"""No user-facing string outside gettext, and a stylesheet that mirrors right to left."""

from __future__ import annotations

import re

from tests.i18n import scan

PHYSICAL = re.compile(
    r"(?<![-\w])(margin|padding|border)-(left|right)\b|(?<![-\w])(left|right)\s*:|text-align\s*:\s*(left|right)|float\s*:\s*(left|right)"
)


def test_every_user_facing_string_is_marked_for_translation():
    found = scan.findings()
    assert not found, "wrap these in gettext / {% translate %}:\n" + "\n".join(found)


def test_the_scan_finds_what_it_should(tmp_path):
    template = tmp_path / "templates" / "x.html"
    template.parent.mkdir()
    template.write_text('{% load i18n %}<p>{% translate "Fine" %}</p><p>Not marked</p><img alt="Logo of us">')
    code = tmp_path / "x.py"
    code.write_text('from django import forms\nf = forms.CharField(label="Your name")\nraise ValidationError("Too long text")\n')
    scan.ROOT = tmp_path
    try:
        found = scan.template_findings(template) + scan.python_findings(code)
    finally:
        scan.ROOT = scan.Path(scan.__file__).resolve().parents[2]
    assert len(found) == 4, found


def test_the_stylesheets_use_logical_properties_only():
    """Right to left mirrors the layout only if no rule says left or right."""
    for path in sorted((scan.ROOT / "static" / "css").glob("salesperf*.css")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not PHYSICAL.search(line), f"{path.name}:{number}: use inline-start/end: {line.strip()}"
