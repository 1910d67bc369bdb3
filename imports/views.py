"""The admin's upload page, an import job's page and its progress endpoint (admins only)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from imports import selectors, services
from imports.forms import ImportUploadForm
from imports.models import ImportJob
from reps.access import is_admin


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous users go to the login page; signed-in users who are not admins get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@admin_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                user=request.user,
                format=form.cleaned_data["format"],
                files=form.cleaned_data["files"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("import_job", pk=job.pk)
    page = Paginator(selectors.import_job_list(), 20).get_page(request.GET.get("page"))
    return render(request, "imports/upload.html", {"form": form, "page": page})


@admin_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    return render(request, "imports/job.html", {"job": job, "summary": job.summary})


@admin_required
def import_job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "percent": job.percent,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "finished": job.is_finished,
        }
    )
