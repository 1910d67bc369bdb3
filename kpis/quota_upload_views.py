"""/quotas/upload/: an admin uploads a quota file (CSV or .xlsx), sees every bad row or a
preview of what would change, then confirms; the save is all or nothing (kpis.quota_files).

Between the preview and the confirmation the file waits in the user's session (it is read and
checked again on confirmation: someone may have changed quotas in between).
"""

from __future__ import annotations

import base64
import uuid
from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis import quota_files
from reps.access import can_edit_quotas

MAX_BYTES = 2 * 1024 * 1024
SESSION_KEY = "quota_upload"

# The file's column names (machine words, never translated) and what each holds (docs/quotas.md).
FILE_COLUMNS = [
    (("kind",), gettext_lazy("quota (the default) or activity_target")),
    (("rep", "team"), gettext_lazy("the rep's user name or the team's name: exactly one of them")),
    (
        ("metric",),
        gettext_lazy("quotas: won_revenue (the default), deals_won, offers_submitted or activities; empty for activity targets"),
    ),
    (
        ("activity_kind",),
        gettext_lazy(
            "the kind counted: for the metric activities, and for every activity target "
            "(call, email, discovery_meeting, proposal_meeting, other_meeting, task)"
        ),
    ),
    (
        ("start", "end"),
        gettext_lazy("the first and last day, like 2026-01-31; an activity target may leave end empty (open-ended)"),
    ),
    (
        ("target",),
        gettext_lazy("the quota's target, or the activities per week; “remove” removes the quota or target of that row"),
    ),
]


class QuotaUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Quota file"),
        help_text=gettext_lazy("CSV or Excel (.xlsx), at most 2 MB; the columns are listed under “Columns” below."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(gettext_lazy("Choose a .csv or .xlsx file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(gettext_lazy("The file is larger than 2 MB; split it in parts."))
        return upload


def quota_editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users go to the login page; users who may not set quotas get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_edit_quotas(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _summary(preview: list[quota_files.PreviewRow]) -> dict[str, int]:
    counts = Counter(row.action for row in preview)
    return {action: counts.get(action, 0) for action in ("create", "update", "delete", "unchanged")}


@quota_editor_required
def upload(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"form": QuotaUploadForm(), "max_rows": quota_files.MAX_ROWS, "columns": FILE_COLUMNS}
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, context)
    if request.method == "POST":
        form = QuotaUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            data = upload_file.read()
            parsed = quota_files.read_quotas_file(data, upload_file.name)
            errors, preview = quota_files.check_quotas_file(parsed, user=request.user)
            context.update(file_name=upload_file.name, errors=errors, preview=preview)
            if not errors:
                token = uuid.uuid4().hex
                request.session[SESSION_KEY] = {"token": token, "name": upload_file.name, "data": base64.b64encode(data).decode()}
                context.update(token=token, summary=_summary(preview))
    return render(request, "quotas/upload.html", context)


def _confirm(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    pending = request.session.get(SESSION_KEY) or {}
    if not pending or pending.get("token") != request.POST.get("token"):
        messages.error(request, _("That upload has expired or was already saved; choose the file again."))
        return redirect("quotas:upload")
    name = pending["name"]
    parsed = quota_files.read_quotas_file(base64.b64decode(pending["data"]), name)
    try:
        result = quota_files.import_quotas_file(parsed, user=request.user, source=f"upload: {name}")
    except quota_files.QuotaFileError as failed:
        context.update(file_name=name, errors=failed.errors, preview=[])
        return render(request, "quotas/upload.html", context)
    del request.session[SESSION_KEY]
    messages.success(
        request,
        _(
            "%(file)s saved: quotas %(qc)d created, %(qu)d updated, %(qd)d removed; activity targets %(tc)d created, "
            "%(tu)d updated, %(td)d removed."
        )
        % {
            "file": name,
            "qc": result.quotas.created,
            "qu": result.quotas.updated,
            "qd": result.quotas.deleted,
            "tc": result.targets.created,
            "tu": result.targets.updated,
            "td": result.targets.deleted,
        },
    )
    return redirect("quotas:upload")
