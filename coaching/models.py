"""Coaching: sessions with a rep (weekly one-to-ones above all), 3-part feedback, action items.

A manager's coaching time is the length of the sessions they held; the one-to-one's agenda is
built from the rep's numbers (``coaching.selectors``), not stored.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reps.models import Rep
from salesperf.dates import validate_in_range


class SessionKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One-to-one")
    PRE_CALL = "pre_call", _("Pre-call strategy")
    DEBRIEF = "debrief", _("Post-call debrief")
    DEAL_REVIEW = "deal_review", _("Deal review")
    FIELD_VISIT = "field_visit", _("Joint customer visit")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class CoachingSession(models.Model):
    """Time a manager spends coaching one rep: a one-to-one, a call prepared or debriefed together."""

    rep = models.ForeignKey(Rep, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="coaching_sessions")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach"),
        on_delete=models.PROTECT,
        related_name="coaching_sessions",
        help_text=_("The manager who coaches."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices, default=SessionKind.ONE_TO_ONE)
    scheduled_for = models.DateTimeField(_("when"), validators=[validate_in_range])
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
        help_text=_("Counts as coaching time once the session is held."),
    )
    status = models.CharField(_("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED)
    shared_notes = models.TextField(_("notes shared with the rep"), blank=True)
    private_notes = models.TextField(_("private notes"), blank=True, help_text=_("Only the rep's managers see these."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        verbose_name = _("coaching session")
        verbose_name_plural = _("coaching sessions")
        indexes = [models.Index(fields=["rep", "scheduled_for"]), models.Index(fields=["coach", "scheduled_for"])]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=5, minutes__lte=480), name="coaching_session_minutes_range")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.rep} · {timezone.localtime(self.scheduled_for):%Y-%m-%d %H:%M}"


class CoachingFeedback(models.Model):
    """Feedback in three parts: the problem, its consequences, how to improve."""

    rep = models.ForeignKey(Rep, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="coaching_feedback")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("given by"), on_delete=models.PROTECT, related_name="coaching_feedback_given"
    )
    session = models.ForeignKey(
        CoachingSession,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    date = models.DateField(_("date"), default=timezone.localdate, validators=[validate_in_range])
    problem = models.TextField(_("problem"), help_text=_("What happened, as a fact: what you saw or heard."))
    consequence = models.TextField(_("consequence"), help_text=_("What it leads to, for the customer, the team or the rep."))
    improvement = models.TextField(_("how to improve"), help_text=_("What to do differently next time."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("coaching feedback")
        verbose_name_plural = _("coaching feedback")
        constraints = [
            models.CheckConstraint(
                condition=~Q(problem="") & ~Q(consequence="") & ~Q(improvement=""),
                name="coaching_feedback_three_parts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.date}: {self.problem[:40]}"


class ActionItem(models.Model):
    """Something the rep agreed to do, followed up at the next one-to-one."""

    rep = models.ForeignKey(Rep, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="action_items")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="action_items_created"
    )
    session = models.ForeignKey(
        CoachingSession,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    title = models.CharField(_("action"), max_length=200)
    due_date = models.DateField(_("due"), null=True, blank=True, validators=[validate_in_range])
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, validators=[validate_in_range])
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = [models.F("done_at").asc(nulls_first=True), models.F("due_date").asc(nulls_last=True), "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [models.Index(fields=["rep", "done_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
