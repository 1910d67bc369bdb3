"""Coaching: sessions with a rep (weekly one-to-ones above all), 3-part feedback, action items.

A manager's coaching time is the length of the sessions they held; the one-to-one's agenda is
built from the rep's numbers (``coaching.selectors``), not stored.
"""

from __future__ import annotations

import datetime

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


# --- one-to-one cadence, frozen agendas, reminder emails ------------------------------------


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")
    NONE = "none", _("None")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class CoachingCadence(models.Model):
    """How often a rep has a one-to-one, on which weekday and at what time. A rep without one
    has the default: weekly (see ``coaching.planning``)."""

    rep = models.OneToOneField(Rep, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="coaching_cadence")
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    weekday = models.PositiveSmallIntegerField(_("usual weekday"), choices=Weekday.choices, default=Weekday.TUESDAY)
    time = models.TimeField(_("usual time"), default=datetime.time(9))
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), default=45, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["rep"]
        verbose_name = _("one-to-one cadence")
        verbose_name_plural = _("one-to-one cadences")
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=4), name="coaching_cadence_working_weekday"),
            models.CheckConstraint(condition=Q(minutes__gte=5, minutes__lte=480), name="coaching_cadence_minutes_range"),
        ]

    def __str__(self) -> str:
        return f"{self.rep}: {self.get_cadence_display()}"


class FrozenAgenda(models.Model):
    """The agenda of a held session as it was when the session was marked held: it reads the
    same later, whatever happens to the numbers (``coaching.agenda``)."""

    session = models.OneToOneField(
        CoachingSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="frozen_agenda"
    )
    data = models.JSONField(_("agenda"))
    frozen_at = models.DateTimeField(_("frozen at"), default=timezone.now)

    class Meta:
        verbose_name = _("frozen agenda")
        verbose_name_plural = _("frozen agendas")

    def __str__(self) -> str:
        return f"{self.session_id} @ {self.frozen_at:%Y-%m-%d %H:%M}"


class EmailPreference(models.Model):
    """Which coaching emails a user gets. A user without a row gets them all."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="coaching_email_preference"
    )
    one_to_one_reminders = models.BooleanField(_("one-to-one reminders"), default=True, help_text=_("The day before."))
    overdue_action_reminders = models.BooleanField(_("overdue action items"), default=True, help_text=_("Once a week."))
    weekly_team_summary = models.BooleanField(
        _("the team's week (managers)"), default=True, help_text=_("On Monday: who is at risk, one-to-ones, overdue actions.")
    )

    class Meta:
        verbose_name = _("coaching email preference")
        verbose_name_plural = _("coaching email preferences")

    def __str__(self) -> str:
        return str(self.user)


class EmailKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One-to-one reminder")
    OVERDUE_ACTIONS = "overdue_actions", _("Overdue action items")
    WEEKLY_SUMMARY = "weekly_summary", _("The team's week")


class SentEmail(models.Model):
    """One coaching email sent: the record that keeps each email from going out twice."""

    kind = models.CharField(_("kind"), max_length=20, choices=EmailKind.choices)
    key = models.CharField(_("about"), max_length=60, help_text=_("session:<id> or week:<Monday>."))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="coaching_emails"
    )
    subject = models.CharField(_("subject"), max_length=200)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("sent coaching email")
        verbose_name_plural = _("sent coaching emails")
        constraints = [models.UniqueConstraint(fields=["kind", "key", "recipient"], name="coaching_email_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.key})"


# --- deal reviews, stage tips, recognition, account plans ------------------------------------


class InControl(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class StageTip(models.Model):
    """What a good rep does in one pipeline stage, how often to contact the customer there, and
    after how many days in it a deal counts as stalled. Set by admins; one per stage."""

    stage = models.OneToOneField("reps.Stage", verbose_name=_("stage"), on_delete=models.CASCADE, related_name="coaching_tip")
    tip = models.TextField(_("tip"), blank=True, help_text=_("What a good rep does in this stage."))
    contact_every_days = models.PositiveSmallIntegerField(
        _("contact the customer every (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("How often a rep should be in touch with the customer in this stage."),
    )
    stall_after_days = models.PositiveSmallIntegerField(
        _("stalled after (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "A deal longer than this in the stage is stalled and worth a review. "
            "Empty: twice the median of the stage's open deals (at least 14 days), or more than 45 days."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["stage__pipeline", "stage__order"]
        verbose_name = _("stage coaching tip")
        verbose_name_plural = _("stage coaching tips")
        constraints = [
            models.CheckConstraint(
                condition=Q(stall_after_days__isnull=True) | Q(stall_after_days__gte=1), name="stage_tip_stall_positive"
            ),
            models.CheckConstraint(
                condition=Q(contact_every_days__isnull=True) | Q(contact_every_days__gte=1),
                name="stage_tip_contact_positive",
            ),
        ]

    def __str__(self) -> str:
        return str(self.stage)


class DealReview(models.Model):
    """A manager's review of one deal (seed 001): is the rep in control of the sale, what is
    missing, the next step agreed; action items agreed in it are linked."""

    opportunity = models.ForeignKey(
        "reps.Opportunity", verbose_name=_("opportunity"), on_delete=models.CASCADE, related_name="coaching_reviews"
    )
    rep = models.ForeignKey(
        Rep,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="deal_reviews",
        help_text=_("The deal's owner when it was reviewed."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="deal_reviews_given"
    )
    session = models.ForeignKey(
        CoachingSession,
        verbose_name=_("session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deal_reviews",
    )
    date = models.DateField(_("date"), default=timezone.localdate, validators=[validate_in_range])
    in_control = models.CharField(
        _("rep in control of the process"),
        max_length=10,
        choices=InControl.choices,
        help_text=_("Does the rep know the customer's decision process, and lead it?"),
    )
    missing = models.TextField(_("what is missing"), blank=True)
    next_step = models.TextField(_("next step agreed"), blank=True)
    private_notes = models.TextField(_("private notes"), blank=True, help_text=_("Only the rep's managers see these."))
    action_items = models.ManyToManyField(ActionItem, verbose_name=_("action items"), blank=True, related_name="deal_reviews")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("deal review")
        verbose_name_plural = _("deal reviews")
        indexes = [models.Index(fields=["opportunity", "date"]), models.Index(fields=["rep", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(in_control__in=["yes", "partly", "no"]), name="deal_review_in_control_valid")
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} {self.date}"


class Recognition(models.Model):
    """Good work, recognised by a manager (seed 003); the rep sees it, the team too if shared."""

    rep = models.ForeignKey(Rep, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="recognitions")
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("given by"), on_delete=models.PROTECT, related_name="recognitions_given"
    )
    date = models.DateField(_("date"), default=timezone.localdate, validators=[validate_in_range])
    text = models.TextField(_("what was good"))
    shared_with_team = models.BooleanField(
        _("shared with the team"), default=False, help_text=_("The rep's teammates see it too.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        indexes = [models.Index(fields=["rep", "date"])]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="recognition_text_required")]

    def __str__(self) -> str:
        return f"{self.rep} {self.date}: {self.text[:40]}"


class AccountPlan(models.Model):
    """A plan of actions for one customer (seed 004), followed up in the rep's one-to-ones."""

    account = models.ForeignKey(
        "reps.Account", verbose_name=_("account"), on_delete=models.CASCADE, related_name="coaching_plans"
    )
    rep = models.ForeignKey(
        Rep,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="account_plans",
        help_text=_("The rep who follows the plan up: the account's owner."),
    )
    goal = models.CharField(_("goal"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="account_plans_created"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["account__name", "pk"]
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")

    def __str__(self) -> str:
        return f"{self.account}: {self.goal}"


class AccountPlanAction(models.Model):
    """One action of an account plan, with its owner and due date."""

    plan = models.ForeignKey(AccountPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="account_plan_actions"
    )
    due_date = models.DateField(_("due"), null=True, blank=True, validators=[validate_in_range])
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, validators=[validate_in_range])

    class Meta:
        ordering = [models.F("done_at").asc(nulls_first=True), models.F("due_date").asc(nulls_last=True), "pk"]
        verbose_name = _("account plan action")
        verbose_name_plural = _("account plan actions")

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
