from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ForecastForm(forms.Form):
    """A call: prefilled from the deals, changed by whoever submits it."""

    commit = forms.DecimalField(label=_("Commit"), max_digits=14, decimal_places=2, min_value=0)
    best_case = forms.DecimalField(label=_("Best case"), max_digits=14, decimal_places=2, min_value=0)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Why the number moved, if it did.")
    )
