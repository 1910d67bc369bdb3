"""The sales team and its work: teams, reps, accounts, pipelines, opportunities, activities.

Writes go through reps/services.py, which also keeps the stage and owner history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesperf.dates import validate_in_range

MONEY = {"max_digits": 14, "decimal_places": 2}


class Team(models.Model):
    """A sales team, or a region when other teams name it as their parent."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_teams",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent team (region)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    external_id = models.CharField(_("external id"), max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="team_not_own_parent",
                violation_error_message=_("A team cannot be its own parent team."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Rep(models.Model):
    """A sales representative: a Django user with a sales profile."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="rep")
    team = models.ForeignKey(
        Team,
        verbose_name=_("current team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reps",
        help_text=_("Kept in step with the open team membership by the services."),
    )
    segment = models.CharField(_("segment"), max_length=80, blank=True)
    territory = models.CharField(_("territory"), max_length=80, blank=True)
    start_date = models.DateField(_("start date"), default=timezone.localdate, validators=[validate_in_range])
    is_active = models.BooleanField(_("active"), default=True)
    external_id = models.CharField(_("external id"), max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__username"]
        verbose_name = _("rep")
        verbose_name_plural = _("reps")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class TeamMembership(models.Model):
    """A rep's membership of a team from ``start_date`` to ``end_date`` (inclusive; open if null).

    Team figures credit a rep's events to the team they belonged to on the event's date.
    """

    rep = models.ForeignKey(Rep, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="memberships")
    start_date = models.DateField(_("from"), validators=[validate_in_range])
    end_date = models.DateField(_("to"), null=True, blank=True, validators=[validate_in_range])

    class Meta:
        ordering = ["rep", "start_date"]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="membership_ends_after_start",
                violation_error_message=_("A membership cannot end before it starts."),
            ),
            models.UniqueConstraint(fields=["rep", "start_date"], name="membership_unique_start"),
            models.UniqueConstraint(
                fields=["rep"],
                condition=Q(end_date__isnull=True),
                name="membership_one_open_per_rep",
                violation_error_message=_("This rep already has an open membership (no end date): end it first."),
            ),
        ]
        indexes = [models.Index(fields=["team", "start_date"])]

    def __str__(self) -> str:
        return f"{self.rep} in {self.team} from {self.start_date}"


class Account(models.Model):
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        Rep, verbose_name=_("owner"), on_delete=models.SET_NULL, null=True, blank=True, related_name="accounts"
    )
    segment = models.CharField(_("segment"), max_length=80, blank=True)
    territory = models.CharField(_("territory"), max_length=80, blank=True)
    sector = models.CharField(_("sector"), max_length=80, blank=True)
    external_id = models.CharField(_("external id"), max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    series = models.CharField(_("series"), max_length=80, blank=True)
    list_price = models.DecimalField(_("list price"), **MONEY, default=0)
    external_id = models.CharField(_("external id"), max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(list_price__gte=0),
                name="product_price_not_negative",
                violation_error_message=_("The list price cannot be negative."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Pipeline(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="pipeline_one_default",
                violation_error_message=_("Another pipeline is already the default: untick it there first."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class StageKind(models.TextChoices):
    OPEN = "open", _("open")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class ForecastCategory(models.TextChoices):
    """Where an open deal stands in its owner's forecast (docs/kpis.md, "Forecasts")."""

    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    OMITTED = "omitted", _("Omitted")


class Stage(models.Model):
    """A step of a pipeline. Exactly one open stage per pipeline is the offer stage.

    "At most one" is a database constraint; "at least one" is checked by
    ``reps.services.pipeline_validate`` (a constraint cannot count rows).
    """

    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"))
    probability = models.PositiveSmallIntegerField(_("win probability (%)"))
    kind = models.CharField(_("kind"), max_length=4, choices=StageKind.choices, default=StageKind.OPEN)
    is_offer = models.BooleanField(_("offer stage"), default=False, help_text=_("An offer or proposal has been presented."))
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=10,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
        db_default=ForecastCategory.PIPELINE,  # rows written by raw SQL (bulk loaders) get it too
        help_text=_("The category of an open deal in this stage unless its owner sets another."),
    )

    class Meta:
        ordering = ["pipeline", "order"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_unique_order"),
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
            models.UniqueConstraint(
                fields=["pipeline"],
                condition=Q(is_offer=True),
                name="stage_one_offer_per_pipeline",
                violation_error_message=_("This pipeline already has its offer stage: untick it there first."),
            ),
            models.CheckConstraint(
                condition=Q(probability__lte=100),
                name="stage_probability_max_100",
                violation_error_message=_("The probability is a percentage: 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(is_offer=False) | Q(kind=StageKind.OPEN),
                name="stage_offer_is_open",
                violation_error_message=_("The offer stage must be an open stage (not won or lost)."),
            ),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in StageKind]), name="stage_kind_valid"),
            models.CheckConstraint(
                condition=Q(forecast_category__in=[c.value for c in ForecastCategory]),
                name="stage_forecast_category_valid",
                violation_error_message=_("Choose a forecast category from the list."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline}: {self.name}"

    @property
    def is_closed(self) -> bool:
        return self.kind != StageKind.OPEN


class Opportunity(models.Model):
    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, null=True, blank=True, related_name="opportunities"
    )
    owner = models.ForeignKey(Rep, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="opportunities")
    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="opportunities")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.SET_NULL, null=True, blank=True, related_name="opportunities"
    )
    amount = models.DecimalField(_("amount"), **MONEY, default=0)
    created_date = models.DateField(_("created"), default=timezone.localdate, validators=[validate_in_range])
    expected_close_date = models.DateField(_("expected close"), null=True, blank=True, validators=[validate_in_range])
    close_date = models.DateField(
        _("close date"),
        null=True,
        blank=True,
        help_text=_("Set when won or lost; cleared when reopened."),
        validators=[validate_in_range],
    )
    offer_date = models.DateField(
        _("offer reached"),
        validators=[validate_in_range],
        null=True,
        blank=True,
        editable=False,
        help_text=_("First date it entered the offer stage, a later open stage, or won."),
    )
    # The instants of the events dated above, where known (KPI credit to the owner at the time
    # of the event, to the second). Empty when only the date is known (older rows, imports
    # without times, a close date given for another day than the move): the engine then
    # credits the owner at the end of that local day. When set, the local date is the date above.
    created_at = models.DateTimeField(_("created at"), null=True, blank=True, editable=False)
    offer_at = models.DateTimeField(_("offer reached at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=10,
        choices=ForecastCategory.choices,
        blank=True,
        default="",
        db_default="",  # rows written by raw SQL (bulk loaders) follow their stage
        help_text=_("Set by the owner; empty follows the stage's category."),
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_date = models.DateField(_("next step due"), null=True, blank=True, validators=[validate_in_range])
    lost_reason = models.CharField(_("lost reason"), max_length=200, blank=True)
    external_id = models.CharField(_("external id"), max_length=120, null=True, blank=True, unique=True)
    stage_changed_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_date", "-pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="opportunity_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(forecast_category="") | Q(forecast_category__in=[c.value for c in ForecastCategory]),
                name="opportunity_forecast_category_valid",
                violation_error_message=_("Choose a forecast category from the list."),
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "close_date"]),
            models.Index(fields=["owner", "created_date"]),
            models.Index(fields=["owner", "offer_date"]),
            models.Index(fields=["owner", "expected_close_date"]),
            # the KPI engine's won deals of a period, whoever owned them (median sales cycle); the
            # growth by segment reads the closed deals of its periods from the index alone
            models.Index(
                fields=["close_date"],
                include=["id", "stage", "owner", "account", "product", "amount", "closed_at"],
                name="opportunity_closed_idx",
            ),
            # the days a deal's move recomputes, whoever owned it on them (owner history): without
            # these, every move read every deal (4 s per move with a million deals)
            models.Index(fields=["created_date"]),
            models.Index(fields=["offer_date"]),
            # the open pipeline of a team by stage and close date, read from the index alone
            models.Index(fields=["stage", "owner"], include=["expected_close_date", "amount"], name="opportunity_pipeline_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_forecast_category(self) -> str:
        """The owner's category, else the stage's (shown for open deals only)."""
        return self.forecast_category or self.stage.forecast_category


class OpportunityStageChange(models.Model):
    """One move of an opportunity into a stage; the first row is its creation stage."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["opportunity", "changed_at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["opportunity", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id} at {self.changed_at}"


class OpportunityOwnerChange(models.Model):
    """One change of an opportunity's owner; the first row is its first owner."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="owner_changes")
    from_owner = models.ForeignKey(Rep, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_owner = models.ForeignKey(Rep, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["opportunity", "changed_at", "pk"]
        verbose_name = _("owner change")
        verbose_name_plural = _("owner changes")
        indexes = [models.Index(fields=["opportunity", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_owner_id} → {self.to_owner_id} at {self.changed_at}"


class OpportunityFieldChange(models.Model):
    """One edit of a deal's amount or expected close date (the order book's deviations)."""

    class Field(models.TextChoices):
        AMOUNT = "amount", _("amount")
        EXPECTED_CLOSE_DATE = "expected_close_date", _("expected close")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="field_changes")
    field = models.CharField(max_length=20, choices=Field.choices)
    old_value = models.CharField(max_length=40, blank=True)
    new_value = models.CharField(max_length=40, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opportunity", "changed_at", "pk"]
        verbose_name = _("opportunity change")
        verbose_name_plural = _("opportunity changes")
        indexes = [models.Index(fields=["opportunity", "changed_at"]), models.Index(fields=["changed_at"])]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.field} {self.old_value} → {self.new_value} at {self.changed_at}"


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    DISCOVERY_MEETING = "discovery_meeting", _("Discovery meeting")
    PROPOSAL_MEETING = "proposal_meeting", _("Proposal meeting")
    OTHER_MEETING = "other_meeting", _("Other meeting")
    TASK = "task", _("Task")


# Kinds that count as contacts (shared KPI definitions: every kind but tasks).
CONTACT_KINDS = (
    ActivityKind.CALL,
    ActivityKind.EMAIL,
    ActivityKind.DISCOVERY_MEETING,
    ActivityKind.PROPOSAL_MEETING,
    ActivityKind.OTHER_MEETING,
)


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(models.Model):
    owner = models.ForeignKey(Rep, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    planned_date = models.DateField(_("planned for"), null=True, blank=True, validators=[validate_in_range])
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, validators=[validate_in_range])
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    notes = models.TextField(_("notes"), blank=True)
    external_id = models.CharField(_("external id"), max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-planned_date", "-done_at", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ActivityStatus.DONE, done_at__isnull=False)
                | (~Q(status=ActivityStatus.DONE) & Q(done_at__isnull=True)),
                name="activity_done_iff_done_at",
                violation_error_message=_("A done activity needs the time it was done, and only a done one has it."),
            ),
            models.CheckConstraint(
                condition=Q(planned_date__isnull=False) | Q(done_at__isnull=False),
                name="activity_has_a_date",
                violation_error_message=_("An activity needs a planned date or the time it was done."),
            ),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in ActivityKind]), name="activity_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in ActivityStatus]), name="activity_status_valid"),
        ]
        indexes = [
            models.Index(fields=["owner", "done_at"]),
            models.Index(fields=["owner", "planned_date"]),
        ]

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()


class CustomerFeedback(models.Model):
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="feedback")
    rep = models.ForeignKey(Rep, verbose_name=_("rep"), on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback")
    date = models.DateField(_("date"), default=timezone.localdate, validators=[validate_in_range])
    score = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    is_complaint = models.BooleanField(_("complaint"), default=False)
    text = models.TextField(_("text"), blank=True)
    external_id = models.CharField(_("external id"), max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("customer feedback")
        verbose_name_plural = _("customer feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="feedback_score_1_to_5",
                violation_error_message=_("The score goes from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=False) | Q(is_complaint=True),
                name="feedback_has_score_or_complaint",
                violation_error_message=_("Give a score, or mark the feedback as a complaint."),
            ),
        ]
        indexes = [models.Index(fields=["rep", "date"])]

    def __str__(self) -> str:
        return f"{self.account} {self.date}"
