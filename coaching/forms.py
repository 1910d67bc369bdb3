"""Forms of the coaching pages. They parse and check input; coaching/services.py validates and writes.

As in reps/forms.py, model validation is left to the services (``ServiceModelForm``) and
``reps.forms.add_service_errors`` puts a service's errors next to the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coaching import selectors, services
from coaching.models import (
    ActionItem,
    CoachingCadence,
    CoachingFeedback,
    CoachingSession,
    DealReview,
    EmailPreference,
    InControl,
    Recognition,
)
from reps.forms import DateInput, ServiceModelForm
from reps.models import Rep


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class SessionEditForm(ServiceModelForm):
    """When, how long, what kind, how it went, and the notes of a session."""

    minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        min_value=5,
        max_value=480,
        initial=30,
        help_text=_("From 5 to 480 minutes. Counts as coaching time once the session is held."),
    )

    class Meta:
        model = CoachingSession
        fields = ["kind", "scheduled_for", "minutes", "status", "shared_notes", "private_notes"]
        widgets = {
            "scheduled_for": DateTimeInput,
            "shared_notes": forms.Textarea(attrs={"rows": 4}),
            "private_notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"shared_notes": _("The rep sees these.")}


class SessionCreateForm(SessionEditForm):
    rep = forms.ModelChoiceField(label=_("Rep"), queryset=Rep.objects.none(), empty_label=_("— choose a rep —"))

    class Meta(SessionEditForm.Meta):
        fields = ["rep", *SessionEditForm.Meta.fields]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = selectors.coachable_reps(user)
        self.fields["rep"].label_from_instance = lambda rep: f"{rep.name} ({rep.team.name})" if rep.team else rep.name
        self.fields["rep"].error_messages["invalid_choice"] = _("Choose one of the reps of the teams you manage.")
        self.fields["scheduled_for"].error_messages["required"] = _("Say when the session takes place (date and time).")


class CoachingFeedbackForm(ServiceModelForm):
    """Feedback in three parts; each one is required."""

    class Meta:
        model = CoachingFeedback
        fields = ["problem", "consequence", "improvement"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        messages = {
            "problem": _("Describe the problem: what you saw or heard."),
            "consequence": _("Say what the problem leads to."),
            "improvement": _("Say how to do better next time."),
        }
        for name, message in messages.items():
            self.fields[name].error_messages["required"] = message


class ActionItemForm(ServiceModelForm):
    class Meta:
        model = ActionItem
        fields = ["title", "due_date"]
        widgets = {"due_date": DateInput}
        labels = {"title": _("Action"), "due_date": _("Due date")}
        help_texts = {"due_date": _("Optional.")}


# --- the session page: one form for everything ----------------------------------------------


class SessionFeedbackForm(CoachingFeedbackForm):
    """Feedback on the session page: optional as a whole (all three parts blank: none), but
    once one part is written, each of the three is required."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        parts = {name: (data.get(name) or "").strip() for name in ("problem", "consequence", "improvement")}
        if any(parts.values()):
            for name, value in parts.items():
                if not value:
                    self.add_error(name, self.fields[name].error_messages["required"])
        return data

    @property
    def is_blank(self) -> bool:
        return not any((self.cleaned_data.get(name) or "").strip() for name in ("problem", "consequence", "improvement"))


class SessionActionForm(ActionItemForm):
    """A new action item on the session page: optional (no title and no date: none)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("title") or "").strip() and data.get("due_date"):
            self.add_error("title", _("Say what the action is, or clear its due date."))
        return data

    @property
    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("title") or "").strip()


class CadenceForm(ServiceModelForm):
    class Meta:
        model = CoachingCadence
        fields = ["cadence", "weekday", "time", "minutes"]
        widgets = {"time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class EmailPreferenceForm(ServiceModelForm):
    class Meta:
        model = EmailPreference
        fields = ["one_to_one_reminders", "overdue_action_reminders", "weekly_team_summary"]


# --- deal reviews, recognition, account plans -------------------------------------------------

ACTION_ROWS = 3  # action rows on the review and plan forms: enough for one review, no script needed


class DealReviewForm(ServiceModelForm):
    """A deal review: is the rep in control, what is missing, the next step agreed, and up to
    three action items agreed in it."""

    in_control = forms.ChoiceField(
        label=_("Is the rep in control of the process?"),
        choices=InControl.choices,
        widget=forms.RadioSelect,
        help_text=_("Do they know who decides, how and when, and lead the next steps?"),
        error_messages={"required": _("Say whether the rep is in control: yes, partly or no.")},
    )

    class Meta:
        model = DealReview
        fields = ["in_control", "missing", "next_step", "private_notes"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ["missing", "next_step", "private_notes"]}
        help_texts = {
            "missing": _("What the rep does not know or has not done yet (decision maker, budget, timing…)."),
            "next_step": _("The next step you agreed on, with its date."),
            "private_notes": _("Only you and the rep's other managers see these."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{n}"] = forms.CharField(label=_("Action %(n)d") % {"n": n}, required=False, max_length=200)
            self.fields[f"due_{n}"] = forms.DateField(label=_("Due %(n)d") % {"n": n}, required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for n in range(1, ACTION_ROWS + 1):
            if data.get(f"due_{n}") and not (data.get(f"action_{n}") or "").strip():
                self.add_error(f"action_{n}", _("Say what is to be done by this date."))
        return data

    def actions(self) -> list[services.ActionInput]:
        data = self.cleaned_data
        return [
            services.ActionInput(title=data[f"action_{n}"], due_date=data.get(f"due_{n}"))
            for n in range(1, ACTION_ROWS + 1)
            if (data.get(f"action_{n}") or "").strip()
        ]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.Meta.fields]

    def action_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(("action_", "due_"))]

    def review_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RecognitionForm(ServiceModelForm):
    class Meta:
        model = Recognition
        fields = ["text", "shared_with_team"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        labels = {"text": _("What was good"), "shared_with_team": _("Share it with the team")}
        help_texts = {
            "text": _("Say what the rep did and why it matters: specific praise is the kind that is repeated."),
            "shared_with_team": _("The rep's teammates see it on their coaching page too."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = _("Say what was good.")


class AccountPlanForm(forms.Form):
    """A goal for the customer and up to three actions with an owner and a due date."""

    goal = forms.CharField(
        label=_("Goal"),
        max_length=200,
        help_text=_("What you want to reach with this customer, e.g. “Renew and add the analytics module by June”."),
        error_messages={"required": _("Say what the plan is to reach.")},
    )

    def __init__(self, *args: Any, owners: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(user.pk), user.get_full_name() or user.get_username()) for user in owners]
        self.owners = {str(user.pk): user for user in owners}
        for n in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{n}"] = forms.CharField(label=_("Action %(n)d") % {"n": n}, required=False, max_length=200)
            self.fields[f"owner_{n}"] = forms.ChoiceField(label=_("Owner %(n)d") % {"n": n}, choices=choices, required=False)
            self.fields[f"due_{n}"] = forms.DateField(label=_("Due %(n)d") % {"n": n}, required=False, widget=DateInput)

    def actions(self) -> list[services.PlanActionInput]:
        data = self.cleaned_data
        rows = []
        for n in range(1, ACTION_ROWS + 1):
            title = (data.get(f"action_{n}") or "").strip()
            if title:
                owner = self.owners.get(data.get(f"owner_{n}") or "") or next(iter(self.owners.values()))
                rows.append(services.PlanActionInput(title=title, owner=owner, due_date=data.get(f"due_{n}")))
        return rows
