"""The audit trail's filters, shared by the page and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from audit.selectors import KINDS
from salesperf.dates import validate_in_range


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *KINDS.items()])
    user = forms.ModelChoiceField(
        label=_("Changed by"),
        required=False,
        empty_label=_("Anyone"),
        queryset=get_user_model().objects.order_by("username"),
        to_field_name="pk",
    )
    since = forms.DateField(
        label=_("From"), required=False, validators=[validate_in_range], widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, validators=[validate_in_range], widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def selector_arguments(self) -> dict[str, Any]:
        """The valid filters as :func:`audit.selectors.audit_entries` takes them."""
        data = self.cleaned_data
        user = data.get("user")
        return {
            "kind": data.get("kind") or None,
            "user_id": user.pk if user else None,
            "since": data.get("since"),
            "until": data.get("until"),
        }
