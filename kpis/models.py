"""Targets a team is measured against: quotas and weekly activity targets."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reps.models import MONEY, ActivityKind, Rep, Team
from salesperf.dates import validate_in_range


class QuotaMetric(models.TextChoices):
    WON_REVENUE = "won_revenue", _("Won revenue")
    DEALS_WON = "deals_won", _("Deals won")
    OFFERS_SUBMITTED = "offers_submitted", _("Offers submitted")
    ACTIVITIES = "activities", _("Activities of one kind")


class Quota(models.Model):
    """A target for exactly one rep or one team, for one metric over a period of whole days."""

    rep = models.ForeignKey(Rep, verbose_name=_("rep"), on_delete=models.CASCADE, null=True, blank=True, related_name="quotas")
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, null=True, blank=True, related_name="quotas")
    metric = models.CharField(_("metric"), max_length=20, choices=QuotaMetric.choices, default=QuotaMetric.WON_REVENUE)
    activity_kind = models.CharField(
        _("activity kind"),
        max_length=20,
        choices=ActivityKind.choices,
        blank=True,
        help_text=_("Only for the metric 'Activities of one kind': which kind is counted."),
    )
    start_date = models.DateField(_("start"), validators=[validate_in_range])
    end_date = models.DateField(_("end"), help_text=_("Inclusive."), validators=[validate_in_range])
    target = models.DecimalField(_("target"), **MONEY)
    # Who changed the target, when, from which screen or file (the change reason).
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "rep", "team"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(
                condition=(Q(rep__isnull=False) & Q(team__isnull=True)) | (Q(rep__isnull=True) & Q(team__isnull=False)),
                name="quota_rep_xor_team",
                violation_error_message=_("Give either a rep or a team, not both and not neither."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="quota_ends_after_start",
                violation_error_message=_("The end date is before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(target__gt=0),
                name="quota_target_positive",
                violation_error_message=_("The target must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=(Q(metric=QuotaMetric.ACTIVITIES) & ~Q(activity_kind=""))
                | (~Q(metric=QuotaMetric.ACTIVITIES) & Q(activity_kind="")),
                name="quota_activity_kind_iff_activities",
                violation_error_message=_("Give an activity kind for the metric 'activities', and only for it."),
            ),
            models.UniqueConstraint(
                fields=["rep", "metric", "activity_kind", "start_date", "end_date"],
                condition=Q(rep__isnull=False),
                name="quota_unique_per_rep",
                violation_error_message=_("A quota with the same owner, metric and dates exists already."),
            ),
            models.UniqueConstraint(
                fields=["team", "metric", "activity_kind", "start_date", "end_date"],
                condition=Q(team__isnull=False),
                name="quota_unique_per_team",
                violation_error_message=_("A quota with the same owner, metric and dates exists already."),
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"])]

    def __str__(self) -> str:
        who = self.rep or self.team
        return f"{who} {self.get_metric_display()} {self.start_date}–{self.end_date}: {self.target}"


class ActivityTarget(models.Model):
    """How many activities of one kind a rep (or each rep of a team) should do per week."""

    rep = models.ForeignKey(
        Rep, verbose_name=_("rep"), on_delete=models.CASCADE, null=True, blank=True, related_name="activity_targets"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, null=True, blank=True, related_name="activity_targets"
    )
    kind = models.CharField(_("activity kind"), max_length=20, choices=ActivityKind.choices)
    per_week = models.PositiveIntegerField(_("per week"))
    start_date = models.DateField(_("from"), validators=[validate_in_range])
    end_date = models.DateField(
        _("to"), null=True, blank=True, help_text=_("Inclusive; empty means open-ended."), validators=[validate_in_range]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "kind"]
        verbose_name = _("weekly activity target")
        verbose_name_plural = _("weekly activity targets")
        constraints = [
            models.CheckConstraint(
                condition=(Q(rep__isnull=False) & Q(team__isnull=True)) | (Q(rep__isnull=True) & Q(team__isnull=False)),
                name="activity_target_rep_xor_team",
                violation_error_message=_("Give either a rep or a team, not both and not neither."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="activity_target_ends_after_start",
                violation_error_message=_("The end date is before the start date."),
            ),
            models.UniqueConstraint(
                fields=["rep", "kind", "start_date"],
                condition=Q(rep__isnull=False),
                name="activity_target_unique_rep",
                violation_error_message=_("A target with the same owner, kind and start exists already."),
            ),
            models.UniqueConstraint(
                fields=["team", "kind", "start_date"],
                condition=Q(team__isnull=False),
                name="activity_target_unique_team",
                violation_error_message=_("A target with the same owner, kind and start exists already."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rep or self.team}: {self.per_week} × {self.get_kind_display()} / week"


class KpiDay(models.Model):
    """The KPI counts of one rep on one local day, credited as docs/kpis.md says.

    Written only by ``kpis.services`` (an upsert on ``(rep, day)``, so a recompute is
    idempotent); periods and weeks are sums of these rows, so they stay exact to the day.
    """

    rep = models.ForeignKey(Rep, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="kpi_days")
    day = models.DateField(_("day"))
    contacts = models.PositiveIntegerField(_("contacts"), default=0)
    discovery_meetings = models.PositiveIntegerField(_("discovery meetings"), default=0)
    proposal_meetings = models.PositiveIntegerField(_("proposal meetings"), default=0)
    # Done activities of the other kinds, by done date: the actuals of quotas of one kind.
    calls = models.PositiveIntegerField(_("calls done"), default=0)
    emails = models.PositiveIntegerField(_("emails done"), default=0)
    other_meetings = models.PositiveIntegerField(_("other meetings done"), default=0)
    tasks = models.PositiveIntegerField(_("tasks done"), default=0)
    activities_planned = models.PositiveIntegerField(_("activities planned"), default=0)
    activities_done_as_planned = models.PositiveIntegerField(_("activities done as planned"), default=0)
    opportunities_created = models.PositiveIntegerField(_("opportunities created"), default=0)
    created_reached_offer = models.PositiveIntegerField(
        _("created that reached the offer"),
        default=0,
        help_text=_("Of the opportunities created that day, how many have reached the offer by now."),
    )
    offers_submitted = models.PositiveIntegerField(_("offers submitted"), default=0)
    deals_won = models.PositiveIntegerField(_("deals won"), default=0)
    won_revenue = models.DecimalField(_("won revenue"), **MONEY, default=0)
    deals_lost = models.PositiveIntegerField(_("deals lost"), default=0)
    lost_after_offer = models.PositiveIntegerField(_("lost after offer"), default=0)
    csat_sum = models.PositiveIntegerField(_("sum of satisfaction scores"), default=0)
    csat_count = models.PositiveIntegerField(_("satisfaction scores"), default=0)
    complaints = models.PositiveIntegerField(_("complaints"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["rep", "day"]
        verbose_name = _("KPI day")
        verbose_name_plural = _("KPI days")
        constraints = [models.UniqueConstraint(fields=["rep", "day"], name="kpiday_unique_rep_day")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.rep_id} {self.day}"


class KpiWonCycle(models.Model):
    """How many deals a rep won on a local day after a sales cycle of ``cycle_days`` (creation
    to close): the counts the median sales cycle of any period, rep or team is taken from.

    Written with the KpiDay rows, by ``kpis.services`` only.
    """

    rep = models.ForeignKey(Rep, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="kpi_won_cycles")
    day = models.DateField(_("day"))
    cycle_days = models.IntegerField(_("sales cycle (days)"))
    deals = models.PositiveIntegerField(_("deals"))

    class Meta:
        ordering = ["rep", "day", "cycle_days"]
        verbose_name = _("KPI won-deal cycle")
        verbose_name_plural = _("KPI won-deal cycles")
        constraints = [models.UniqueConstraint(fields=["rep", "day", "cycle_days"], name="kpiwoncycle_unique")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.rep_id} {self.day}: {self.deals} × {self.cycle_days} d"


class KpiStatus(models.Model):
    """When the KPI rows of a rep were last recomputed (shown on the pages that show KPIs)."""

    rep = models.OneToOneField(Rep, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="kpi_status")
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("KPI status")
        verbose_name_plural = _("KPI statuses")

    def __str__(self) -> str:
        return f"{self.rep_id}: {self.computed_at}"


class PendingRecompute(models.Model):
    """A recompute a change asked for and that has not run yet: the outbox of the KPI engine.

    Written in the same transaction as the change (kpis.hooks), so a change is never saved
    without it; deleted by the task that ran it. Rows left behind (the broker was down, the
    message was lost, the task failed) are run by ``kpis.tasks.flush_pending_recomputes``.
    """

    rep_ids = models.JSONField(_("reps"))
    days = models.JSONField(_("days"), help_text=_("ISO dates."))
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(
        _("failed attempts"), default=0, help_text=_("Times it could not be queued or its run failed.")
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("pending KPI recompute")
        verbose_name_plural = _("pending KPI recomputes")

    def __str__(self) -> str:
        return f"{len(self.rep_ids)} rep(s) × {len(self.days)} day(s) since {self.created_at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the periodic task (read by /healthz/)."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name}: {self.beat_at}"


class KpiRun(models.Model):
    """One full recompute fanned out over Celery workers (``recompute_kpis --parallel N``, the
    nightly and weekly runs): when it started and ended, how it was split, what it wrote.

    Every row a run writes carries its ``started_at`` as ``computed_at``, whichever worker wrote it.
    """

    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    since = models.DateField(_("from"), null=True, blank=True, help_text=_("Empty: over all history."))
    reps = models.PositiveIntegerField(_("reps"))
    shards = models.PositiveIntegerField(_("shards"))
    rows_written = models.PositiveIntegerField(_("rows written"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("KPI recompute run")
        verbose_name_plural = _("KPI recompute runs")

    def __str__(self) -> str:
        return f"{self.reps} reps in {self.shards} shards from {self.started_at:%Y-%m-%d %H:%M:%S}"
