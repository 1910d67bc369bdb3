"""Project-wide REST API pieces: the one exception handler that maps service errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _as_drf_detail(error: DjangoValidationError) -> Any:
    if hasattr(error, "error_dict"):
        return {("non_field_errors" if field == "__all__" else field): messages for field, messages in error.message_dict.items()}
    return {"non_field_errors": error.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map a service's ``django.core.exceptions.ValidationError`` to a 400 with field errors."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=_as_drf_detail(exc))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
