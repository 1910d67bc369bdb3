"""Forms of the coaching pages. They parse and check input; coaching/services.py validates and writes.

As in reps/forms.py, model validation is left to the services (``ServiceModelForm``) and
``reps.forms.add_service_errors`` puts a service's errors next to the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coaching import selectors
from coaching.models import ActionItem, CoachingCadence, CoachingFeedback, CoachingSession, EmailPreference
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
