"""The audit trail page (admins only)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit import selectors
from audit.forms import AuditFilterForm
from imports.views import admin_required

PAGE_SIZE = 50


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    arguments = form.selector_arguments() if form.is_valid() else {}
    page = Paginator(selectors.audit_entries(**arguments), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [selectors.audit_localized(selectors.audit_describe(row)) for row in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"form": form, "page": page, "entries": entries, "query": query.urlencode()})
