"""Project-wide REST API pieces: the one exception handler that maps service errors, a
JSON parser that answers bad input with a 4xx (never a 500), and, for the busiest list, a
JSON renderer through orjson and a paginator that reads the page and its count in one query."""

from __future__ import annotations

import json
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, renderers, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import exception_handler as drf_exception_handler

from salesperf.sql import TOTAL, with_total

# Deeper than any payload of the API (two levels); far below what would exhaust the stack.
MAX_JSON_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a depth limit: deeply nested JSON is a 400, not a crash."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error: the JSON is nested too deeply.")) from None
        except json.JSONDecodeError as exc:  # pragma: no cover - DRF already maps it
            raise exceptions.ParseError(str(exc)) from None
        if _too_deep(data):
            raise exceptions.ParseError(
                _("JSON parse error: the JSON is nested more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH}
            )
        return data


def _as_drf_detail(error: DjangoValidationError) -> Any:
    if hasattr(error, "error_dict"):
        return {("non_field_errors" if field == "__all__" else field): messages for field, messages in error.message_dict.items()}
    return {"non_field_errors": error.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map a service's ``django.core.exceptions.ValidationError`` to a 400 with field errors."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=_as_drf_detail(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


# orjson hands these to ``_drf_default`` (DRF's encoder) instead of writing them its own way:
# dates and times (DRF shortens microseconds), str/int subclasses (enums, lazy and error
# strings), dataclasses.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS
_DRF_ENCODER = JSONEncoder()


def _drf_default(value: Any) -> Any:
    if isinstance(value, str):  # a subclass: json.dumps writes its text
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    result = _DRF_ENCODER.default(value)
    if isinstance(result, float):  # a Decimal as a number: orjson would write it differently
        raise TypeError("float")
    return result


class FastJSONRenderer(renderers.JSONRenderer):
    """DRF's ``JSONRenderer``, byte for byte, through orjson, for views whose data hold no floats.

    Compact, UTF-8, U+2028/U+2029 escaped, other types through DRF's encoder: the same bytes as
    DRF's renderer. orjson writes some floats differently (``1e-5`` for ``1e-05``) and NaN as
    null, so views rendering floats keep DRF's renderer. Indented output (an ``indent``
    parameter, the browsable API) and whatever orjson refuses (non-string keys, integers past
    64 bits) go through DRF's renderer.
    """

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict[str, Any] | None = None) -> bytes:
        if data is None:
            return b""
        if self.ensure_ascii or not self.compact or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            text = orjson.dumps(data, default=_drf_default, option=_ORJSON_OPTIONS)
        except (orjson.JSONEncodeError, TypeError, ValueError):
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF's renderer: these two are valid JSON but not valid JavaScript.
        return text.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


class CountInPagePaginator(Paginator):
    """Django's paginator, reading a page and the total number of rows in one query.

    The count is a scalar subquery of the page's query (PostgreSQL runs it once), not a query
    of its own. An empty page (no rows, or past the last page) is answered by Django's
    paginator, with its count and its messages. Rows may be model instances or tuples. The
    object list is a queryset or an object with ``rows_with_total(offset, limit)`` (tuples, the
    total last; e.g. ``reps.selectors.ActivityPageSource``), ``count()`` and slicing.
    """

    def page(self, number: Any) -> Page:
        source = self.object_list
        readable = isinstance(source, QuerySet) or hasattr(source, "rows_with_total")
        if "count" in self.__dict__ or not readable or isinstance(number, float):
            return super().page(number)
        try:
            index = int(number)
        except (TypeError, ValueError):
            index = 0
        if index < 1:
            return super().page(number)  # Django's message
        bottom = (index - 1) * self.per_page
        if isinstance(source, QuerySet):
            rows = list(with_total(source)[bottom : bottom + self.per_page + self.orphans])
        else:
            rows = source.rows_with_total(bottom, self.per_page + self.orphans)
        if not rows:
            return super().page(number)
        if isinstance(rows[0], tuple):
            self.count = rows[0][-1]
            rows = [row[:-1] for row in rows]
        else:
            self.count = getattr(rows[0], TOTAL)
        if index > self.num_pages:  # the orphans of the page before
            return super().page(number)
        if bottom + self.per_page + self.orphans < self.count:
            rows = rows[: self.per_page]
        return self._get_page(rows, index, self)
