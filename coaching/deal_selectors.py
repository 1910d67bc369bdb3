"""Reads of the coaching area about deals: the deals worth a review (scored), the stages'
coaching tips and the deal reviews on record. Part of ``coaching.selectors`` (which re-exports
every public name here).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coaching import rules
from coaching.models import (
    DealReview,
    StageTip,
)
from kpis import dashboard_selectors as reads
from reps import access
from reps.models import Opportunity, StageKind

DEALS_TO_REVIEW = 3  # per rep: a manager cannot review every deal, two or three they can
STALLED_MIN_DAYS = 14  # a deal is stalled after twice its stage's median days if at least this long,
STALLED_ANYWAY_DAYS = 45  # or after more than this in one stage whatever the others do (all deals crawl)


# --- deals worth a review -------------------------------------------------------------------


@dataclass
class DealToReview:
    opportunity: Opportunity
    days_in_stage: int
    reasons: list[str] = field(default_factory=list)
    score: int = 0
    tip: str = ""  # the stage's coaching tip (StageTip), shown beside the deal


def deals_to_review(
    *, user: Any, rep_ids: Sequence[int], today: dt.date, per_rep: int = DEALS_TO_REVIEW
) -> dict[int, list[DealToReview]]:
    """Per rep, the (at most ``per_rep``) open deals most worth a review, each with the reasons.

    A deal earns points for a next step that is overdue or missing, an expected close date
    that has passed or is missing, being stalled (longer in its stage than twice the median of
    the open deals in that stage here and at least two weeks, or over 45 days whatever the
    others do; or longer than the stage's own limit, ``StageTip.stall_after_days``, when an
    admin set one), and being one of the rep's
    three largest in a late stage (probability 50 % or more). Deals with no point are not
    flagged; ties go to the larger amount. Two queries (the deals, the stages' tips).
    """
    deals = list(
        access.scope(Opportunity.objects.filter(stage__kind=StageKind.OPEN, owner_id__in=list(rep_ids)), user, "owner")
        .select_related("stage", "account")
        .order_by("owner_id", "-amount", "pk")
    )
    return score_deals(deals, today=today, per_rep=per_rep)


def score_deals(deals: Sequence[Opportunity], *, today: dt.date, per_rep: int = DEALS_TO_REVIEW) -> dict[int, list[DealToReview]]:
    """The scoring of :func:`deals_to_review` over open deals already read (the agenda passes
    the deals as they were on the session's day; ``entered_stage`` overrides ``stage_changed_at``)."""
    deals = sorted(deals, key=lambda deal: (deal.owner_id, -deal.amount, deal.pk))
    days = {
        deal.pk: max(0, (today - deal.entered_stage).days) if hasattr(deal, "entered_stage") else reads.days_in_stage(deal, today)
        for deal in deals
    }
    by_stage: dict[int, list[int]] = defaultdict(list)
    for deal in deals:
        by_stage[deal.stage_id].append(days[deal.pk])
    twice_median = {stage: 2 * statistics.median(values) for stage, values in by_stage.items()}
    tips = stage_tips(by_stage)
    largest: dict[int, set[int]] = defaultdict(set)
    for deal in deals:  # ordered by amount within each rep
        if len(largest[deal.owner_id]) < 3 and deal.amount > 0:
            largest[deal.owner_id].add(deal.pk)

    flagged: dict[int, list[DealToReview]] = defaultdict(list)
    for deal in deals:
        tip = tips.get(deal.stage_id)
        review = DealToReview(opportunity=deal, days_in_stage=days[deal.pk], tip=tip.tip if tip else "")
        if deal.next_step_date is not None and deal.next_step_date < today:
            late = (today - deal.next_step_date).days
            review.reasons.append(ngettext("next step %(n)d day overdue", "next step %(n)d days overdue", late) % {"n": late})
            review.score += 3
        elif not deal.next_step and deal.next_step_date is None:
            review.reasons.append(_("no next step"))
            review.score += 2
        if deal.expected_close_date is not None and deal.expected_close_date < today:
            review.reasons.append(_("expected close date has passed"))
            review.score += 3
        elif deal.expected_close_date is None:
            review.reasons.append(_("no expected close date"))
            review.score += 1
        days_here = review.days_in_stage
        limit = tip.stall_after_days if tip else None
        if limit is not None:
            if days_here > limit:
                review.reasons.append(
                    _("%(days)d days in %(stage)s (stalled: the stage's limit is %(limit)d days)")
                    % {"days": days_here, "stage": deal.stage.name, "limit": limit}
                )
                review.score += 2
        elif (days_here > twice_median[deal.stage_id] and days_here >= STALLED_MIN_DAYS) or days_here > STALLED_ANYWAY_DAYS:
            review.reasons.append(
                _("%(days)d days in %(stage)s (stalled)") % {"days": review.days_in_stage, "stage": deal.stage.name}
            )
            review.score += 2
        if deal.pk in largest[deal.owner_id] and deal.stage.probability >= 50:
            review.reasons.append(_("one of the largest deals, late in the process"))
            review.score += 1
        if review.score:
            flagged[deal.owner_id].append(review)
    return {
        rep_id: sorted(reviews, key=lambda r: (-r.score, -r.opportunity.amount, r.opportunity.pk))[:per_rep]
        for rep_id, reviews in flagged.items()
    }


# --- stage tips and deal reviews ------------------------------------------------------------


def stage_tips(stage_ids: Iterable[int]) -> dict[int, StageTip]:
    """The coaching tips of these stages, by stage id (stages without one are left out). One query."""
    return {tip.stage_id: tip for tip in StageTip.objects.filter(stage_id__in=list(stage_ids))}


def stage_tip(stage_id: int) -> StageTip | None:
    return StageTip.objects.filter(stage_id=stage_id).first()


def last_reviews(*, user: Any, opportunity_ids: Iterable[int]) -> dict[int, DealReview]:
    """The last review ``user`` may see of each of these deals, by deal id. One query."""
    latest: dict[int, DealReview] = {}
    reviews = (
        rules.visible_deal_reviews(user)
        .filter(opportunity_id__in=list(opportunity_ids))
        .select_related("reviewed_by")
        .order_by("opportunity_id", "-date", "-pk")
    )
    for review in reviews:
        latest.setdefault(review.opportunity_id, review)
    return latest


def deal_ids_reviewed(*, deal_ids: Iterable[int], since: dt.date) -> set[int]:
    """The deals (among ``deal_ids``) with a deal review recorded on ``since`` or later. One query.
    What "reviewed" means wherever the coaching status or the agenda counts reviewed deals."""
    return set(
        DealReview.objects.filter(opportunity_id__in=list(deal_ids), date__gte=since).values_list("opportunity_id", flat=True)
    )
