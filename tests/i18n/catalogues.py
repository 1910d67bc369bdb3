"""The translation catalogues: which must be complete, what is wrong with one, and compiling.

``REQUIRED_COMPLETE`` is the switch: a language listed here must have every entry translated,
none fuzzy and none obsolete, and its pages must show no English label. Add a language once its
translators are done (all five: ``REQUIRED_COMPLETE = OFFERED``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
OFFERED = ("el", "fr", "fa", "nb", "hu")
REQUIRED_COMPLETE: tuple[str, ...] = OFFERED
DOMAINS = ("django", "djangojs")


def po_path(language: str, domain: str = "django") -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def problems(language: str) -> list[str]:
    """Every untranslated, fuzzy or obsolete entry of the language's catalogues, one line each."""
    found = []
    for domain in DOMAINS:
        path = po_path(language, domain)
        if not path.exists():
            if domain == "django":
                found.append(f"{path.relative_to(ROOT)}: missing (make messages)")
            continue
        catalogue = polib.pofile(str(path))
        where = path.relative_to(ROOT)
        for entry in catalogue.untranslated_entries():
            found.append(f"{where}: untranslated {_label(entry)}")
        for entry in catalogue.fuzzy_entries():
            found.append(f"{where}: fuzzy {_label(entry)}")
        for entry in catalogue.obsolete_entries():
            found.append(f"{where}: obsolete {_label(entry)}")
    return found


def _label(entry: polib.POEntry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r}"


def compile_all() -> None:
    """Build the .mo files the app reads, as `make compile-messages` does (GNU gettext's msgfmt
    when installed, else polib's writer) when a .po is newer than its .mo."""
    msgfmt = shutil.which("msgfmt")
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        if msgfmt:
            subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)
        else:
            polib.pofile(str(po)).save_as_mofile(str(mo))
