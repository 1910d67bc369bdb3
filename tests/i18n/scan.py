"""Find user-facing strings left outside gettext, in templates and in Python.

Templates: text between tags, and the attributes people read (``title``, ``alt``,
``placeholder``, ``aria-label``), once ``{% translate %}``/``{% blocktranslate %}``, variables,
tags and comments are removed. Python: string literals given where Django, DRF and our code
show them to a user (labels, help texts, verbose names, messages, validation and API errors).
Run it alone with ``python -m tests.i18n.scan``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "coaching", "imports", "kpis", "reps", "salesperf", "templates")
SKIP_DIRS = {"migrations", "management", "tests", "__pycache__", "formats"}
# Words that are the same in every language: the product's name, units, file formats.
ALLOWED_WORDS = {"salesperf", "CSV", "API", "xlsx", "JSON", "OpenAPI", "Swagger", "UI", "PDF", "A4", "ID", "id"}

_BLOCKS = re.compile(
    r"\{%\s*blocktrans(?:late)?\b.*?%\}.*?\{%\s*endblocktrans(?:late)?\s*%\}"
    r"|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{#.*?#\}|<!--.*?-->"
    r"|<script\b.*?</script>|<style\b.*?</style>"
    r"|\{%\s*block\s+body_class\s*%\}.*?\{%\s*endblock\s*%\}",  # CSS class names
    re.S,
)
_TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_ATTRIBUTE = re.compile(r"""\b(?:title|alt|placeholder|aria-label)\s*=\s*(["'])(.*?)\1""", re.S)
_TAG = re.compile(r"<[^>]*>", re.S)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


def _words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text) if word not in ALLOWED_WORDS]


def template_findings(path: Path) -> list[str]:
    source = _BLOCKS.sub(" ", path.read_text(encoding="utf-8"))
    found = []
    for match in _ATTRIBUTE.finditer(source):
        if _words(_TEMPLATE_CODE.sub(" ", match.group(2))):
            found.append(f"{path.relative_to(ROOT)}: attribute {match.group(0)!r}")
    text = _TAG.sub(" ", _TEMPLATE_CODE.sub(" ", source))
    for line in text.splitlines():
        line = line.strip()
        if _words(line):
            found.append(f"{path.relative_to(ROOT)}: text {line!r}")
    return found


# Calls whose first argument, and keywords whose value, a user reads.
MESSAGE_CALLS = {
    "ValidationError",
    "PermissionDenied",
    "ParseError",
    "NotFound",
    "Throttled",
    "APIException",
    "AuthenticationFailed",
    "NotAuthenticated",
    "success",
    "error",
    "warning",
    "info",
    "add_message",
    "add_error",
    "ImportError_",
}
USER_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "title", "description", "summary", "detail"}
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy"}
GETTEXT |= {"npgettext", "npgettext_lazy", "format_lazy", "str"}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_plain_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        # a phrase, or a capitalised word ("Save"); not identifiers such as "rep" or "done_at"
        return bool(_words(node.value)) and (" " in node.value.strip() or node.value[:1].isupper())
    return isinstance(node, ast.JoinedStr)


def python_findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _name(node.func) in GETTEXT:
            continue
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        if _name(node.func) in MESSAGE_CALLS:
            args = node.args[1:] if _name(node.func) in {"success", "error", "warning", "info", "add_error"} else node.args
            if _name(node.func) == "add_message":
                args = node.args[2:]
            if args and _is_plain_text(args[0]):
                found.append(f"{where}: {_name(node.func)}({ast.unparse(args[0])[:60]})")
        for keyword in node.keywords:
            if keyword.arg in USER_KEYWORDS and _is_plain_text(keyword.value):
                found.append(f"{where}: {keyword.arg}={ast.unparse(keyword.value)[:60]}")
    return found


def findings() -> list[str]:
    found: list[str] = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*")):
            if SKIP_DIRS & set(path.relative_to(ROOT).parts):
                continue
            if path.suffix in {".html", ".txt"} and "templates" in path.parts:
                found += template_findings(path)
            elif path.suffix == ".py":
                found += python_findings(path)
    return found


if __name__ == "__main__":
    print("\n".join(findings()))
