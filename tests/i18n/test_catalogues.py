"""The five catalogues: complete where required, extracted from the code as it is, compiled."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.i18n import catalogues
from tests.i18n.catalogues import OFFERED, REQUIRED_COMPLETE


@pytest.mark.parametrize("language", OFFERED)
def test_a_catalogue_exists_for_every_offered_language(language):
    assert catalogues.po_path(language).exists(), f"make messages LOCALES={language}"


@pytest.mark.parametrize("language", OFFERED)
def test_the_catalogue_is_complete(language):
    if language not in REQUIRED_COMPLETE:
        pytest.skip(f"{language}: not translated yet; add it to REQUIRED_COMPLETE in tests/i18n/catalogues.py once it is")
    problems = catalogues.problems(language)
    assert not problems, f"{len(problems)} entries to fix:\n" + "\n".join(problems[:50])


def test_the_settings_offer_exactly_the_catalogued_languages(settings):
    assert {code for code, _name in settings.LANGUAGES} == {"en", *OFFERED}


def _without_dates(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith('"POT-Creation-Date:')]


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed (apt-get install gettext)")
def test_makemessages_leaves_no_diff(tmp_path):
    """The committed catalogues hold exactly the strings of the code (run `make messages`)."""
    copy = tmp_path / "project"
    skipped = (".venv", "staticfiles", "media", "node_modules", "*.mo", "__pycache__", ".git", "test-artifacts")
    ignore = shutil.ignore_patterns(*skipped)
    shutil.copytree(catalogues.ROOT, copy, ignore=ignore)
    command = [sys.executable, "manage.py", "makemessages", *(f"-l{code}" for code in OFFERED)]
    command += ["--add-location=file", "--no-obsolete", "--no-wrap"]
    command += [f"--ignore={name}" for name in (".venv", "bench", "staticfiles", "tests", "media")]
    subprocess.run(command, cwd=copy, check=True, capture_output=True)
    stale = []
    for code in OFFERED:
        for domain in catalogues.DOMAINS:
            committed = catalogues.po_path(code, domain)
            fresh = copy / committed.relative_to(catalogues.ROOT)
            if not committed.exists() and not fresh.exists():
                continue
            both = committed.exists() and fresh.exists()
            if not both or _without_dates(committed.read_text()) != _without_dates(fresh.read_text()):
                stale.append(str(committed.relative_to(catalogues.ROOT)))
    assert not stale, f"out of date, run `make messages`: {stale}"
