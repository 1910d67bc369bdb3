from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from imports.formats import FORMATS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.zip,text/csv,application/zip"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class ImportUploadForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(name, name) for name in FORMATS],
        help_text=_("salesperf: our own CSV files; crm-sales-opportunities: the public CRM + Sales Opportunities data set."),
    )
    files = MultipleFileField(
        label=_("Files"),
        help_text=_("Choose the CSV files of one import, or one .zip holding them."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check and report, save nothing"),
        required=False,
    )

    def clean_files(self) -> list[Any]:
        files = self.cleaned_data["files"]
        for upload in files:
            if not upload.name.lower().endswith((".csv", ".zip")):
                raise forms.ValidationError(
                    _("“%(name)s” is neither a .csv nor a .zip file.") % {"name": upload.name}, code="file_type"
                )
        return files
