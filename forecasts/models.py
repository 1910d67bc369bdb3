"""Forecast calls: what a rep, or a team's manager, commits to for a month or a quarter.

Every submission is kept (never edited), so the history shows how the call moved week by
week; the categories of the deals behind it live on the opportunities (reps.models).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reps.models import MONEY, Rep, Team


class ForecastPeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class ForecastSubmission(models.Model):
    """One call for one period, by a rep (``rep``) or for a team (``team``), at ``submitted_at``."""

    rep = models.ForeignKey(
        Rep, verbose_name=_("rep"), on_delete=models.CASCADE, null=True, blank=True, related_name="forecast_submissions"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, null=True, blank=True, related_name="forecast_submissions"
    )
    period_kind = models.CharField(_("period"), max_length=7, choices=ForecastPeriodKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    commit = models.DecimalField(_("commit"), **MONEY)
    best_case = models.DecimalField(_("best case"), **MONEY)
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["period_start", "submitted_at", "pk"]
        verbose_name = _("forecast submission")
        verbose_name_plural = _("forecast submissions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(rep__isnull=False) & Q(team__isnull=True)) | (Q(rep__isnull=True) & Q(team__isnull=False)),
                name="forecast_of_rep_or_team",
            ),
            models.CheckConstraint(condition=Q(commit__gte=0) & Q(best_case__gte=0), name="forecast_not_negative"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="forecast_period_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(period_kind__in=[k.value for k in ForecastPeriodKind]), name="forecast_period_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["rep", "period_kind", "period_start", "submitted_at"]),
            models.Index(fields=["team", "period_kind", "period_start", "submitted_at"]),
        ]

    def __str__(self) -> str:
        who = self.rep or self.team
        return f"{who} {self.period_kind} {self.period_start}: {self.commit} / {self.best_case} at {self.submitted_at}"
