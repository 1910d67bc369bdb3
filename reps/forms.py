"""Forms of the rep workspace. They parse and check input; reps/services.py does the writes.

Model validation is left to the services (``_post_clean`` is a no-op) so that the page and the
API give the same answer; :func:`add_service_errors` puts a service's errors next to the fields.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reps import selectors
from reps.access import can_manage_rep, is_admin, rep_of, visible_reps
from reps.models import Account, ActivityKind, ActivityStatus, CustomerFeedback, Opportunity, Stage


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` next to the form's fields (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ServiceModelForm(forms.ModelForm):
    """A ModelForm for field definitions only: the service validates and saves the model."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "amount" in self.fields:  # the table's check constraint would only give a form-wide message
            self.fields["amount"].validators.append(MinValueValidator(0))
            self.fields["amount"].widget.attrs["min"] = "0"

    def _post_clean(self) -> None:
        pass


# --- activities -----------------------------------------------------------------------------

TARGET_TAG = re.compile(r"#([ao])(\d+)\s*$")


class QuickAddForm(forms.Form):
    """Log an activity in seconds: kind, when, what it was about, a note."""

    STATUS_CHOICES = [(ActivityStatus.DONE.value, _("Done")), (ActivityStatus.PLANNED.value, _("Planned"))]

    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, initial=ActivityKind.CALL)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, initial=ActivityStatus.DONE)
    date = forms.DateField(label=_("When"), widget=DateInput)
    target = forms.CharField(
        label=_("Account or opportunity"),
        required=False,
        max_length=300,
        help_text=_("Start typing a name and pick it from the list."),
    )
    subject = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["date"].initial = timezone.localdate()
        self.fields["kind"].widget.attrs.update({"autofocus": True})
        self.fields["target"].widget.attrs.update({"list": "quickadd-targets", "autocomplete": "off"})
        self.account: Account | None = None
        self.opportunity: Opportunity | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day = data.get("date")
        if data.get("status") == ActivityStatus.DONE and day is not None and day > timezone.localdate():
            self.add_error("date", _("A done activity cannot be in the future; choose Planned instead."))
        return data

    def clean_target(self) -> str:
        text = self.cleaned_data["target"].strip()
        if not text:
            return text
        match = TARGET_TAG.search(text)
        if match:
            kind, pk = match.group(1), int(match.group(2))
            if kind == "o":
                self.opportunity = selectors.visible_opportunities(self.user).filter(pk=pk).first()
            else:
                self.account = selectors.visible_accounts(self.user).filter(pk=pk).first()
            if self.opportunity is None and self.account is None:
                raise ValidationError(_("Pick an account or opportunity from the list."))
            return text
        # Typed without picking from the list: an exact name (an open deal first, then an account).
        deals = list(selectors.visible_opportunities(self.user).filter(name__iexact=text).order_by("stage__kind", "-pk")[:2])
        accounts = list(selectors.visible_accounts(self.user).filter(name__iexact=text)[:2])
        if len(deals) == 1:
            self.opportunity = deals[0]
        elif not deals and len(accounts) == 1:
            self.account = accounts[0]
        elif deals or accounts:
            raise ValidationError(_("Several records have this name; pick the one you mean from the list."))
        else:
            raise ValidationError(_("No account or opportunity of yours has this name; pick one from the list."))
        return text

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for ``services.activity_create``: done ones keep the day they were done."""
        data = self.cleaned_data
        day: dt.date = data["date"]
        fields: dict[str, Any] = {
            "kind": data["kind"],
            "status": data["status"],
            "subject": data["subject"],
            "account": self.account or (self.opportunity.account if self.opportunity else None),
            "opportunity": self.opportunity,
        }
        if data["status"] == ActivityStatus.DONE:
            now = timezone.localtime()
            fields["done_at"] = now if day == now.date() else timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        else:
            fields["planned_date"] = day
        return fields


# --- opportunities --------------------------------------------------------------------------


def _owner_field(user: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Owner"),
        queryset=visible_reps(user).select_related("user"),
        help_text=_("Managers may give a deal to another rep of their teams."),
    )


class OpportunityCreateForm(ServiceModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "name",
            "account",
            "stage",
            "amount",
            "expected_close_date",
            "forecast_category",
            "next_step",
            "next_step_date",
            "product",
        ]
        widgets = {"expected_close_date": DateInput, "next_step_date": DateInput}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["account"].queryset = selectors.visible_accounts(user)
        self.fields["stage"].queryset = Stage.objects.select_related("pipeline")
        self.fields["stage"].required = False
        self.fields["stage"].help_text = _("Empty: the first stage of the default pipeline.")
        if is_admin(user):  # everyone else logs their own deals (reps/rules.py)
            self.fields["owner"] = _owner_field(user)
            own = rep_of(user)
            if own is not None:
                self.fields["owner"].initial = own.pk


class OpportunityEditForm(ServiceModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "name",
            "account",
            "amount",
            "expected_close_date",
            "forecast_category",
            "next_step",
            "next_step_date",
            "product",
            "close_date",
            "lost_reason",
        ]
        widgets = {"expected_close_date": DateInput, "next_step_date": DateInput, "close_date": DateInput}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        opportunity: Opportunity = self.instance
        self.fields["account"].queryset = selectors.visible_accounts(user)
        if not opportunity.stage.is_closed:
            del self.fields["close_date"]
        else:
            self.fields["close_date"].required = True
            del self.fields["forecast_category"]  # a closed deal is no longer forecast
        if opportunity.stage.kind != "lost":
            del self.fields["lost_reason"]
        if can_manage_rep(user, opportunity.owner):
            self.fields["owner"] = _owner_field(user)
            self.fields["owner"].initial = opportunity.owner_id

    def keep_only_owner(self) -> None:
        """Leave only the owner field (for a manager, who reassigns but does not edit)."""
        for name in [name for name in self.fields if name != "owner"]:
            del self.fields[name]


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(label=_("Move to stage"), queryset=Stage.objects.none())
    lost_reason = forms.CharField(label=_("Lost reason"), required=False, max_length=200)
    close_date = forms.DateField(
        label=_("Close date"), required=False, widget=DateInput, help_text=_("For won or lost; empty means today.")
    )

    def __init__(self, *args: Any, opportunity: Opportunity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = opportunity.pipeline.stages.all()
        self.fields["stage"].label_from_instance = lambda stage: stage.name  # one pipeline: no need to repeat it
        self.fields["stage"].initial = opportunity.stage_id


# --- accounts and feedback ------------------------------------------------------------------


class AccountForm(ServiceModelForm):
    class Meta:
        model = Account
        fields = ["name", "segment", "territory", "sector", "owner"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = visible_reps(user).select_related("user")
        if not is_admin(user) and rep_of(user) is not None and visible_reps(user).count() == 1:
            del self.fields["owner"]  # a rep's accounts are theirs


class FeedbackForm(ServiceModelForm):
    SCORE_CHOICES = [("", _("— no score —")), *[(str(n), str(n)) for n in range(1, 6)]]

    score = forms.TypedChoiceField(
        label=_("Satisfaction (1–5)"), choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False
    )

    class Meta:
        model = CustomerFeedback
        fields = ["date", "score", "is_complaint", "text"]
        widgets = {"date": DateInput, "text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
