"""Deterministic, realistic demo data for salesperf (``manage.py seed_demo``).

Regions → teams → reps, accounts, products, the default pipeline, a year of activities and
opportunities moving through the stages (with stage and owner history), customer feedback,
weekly activity targets and monthly and quarterly quotas set so that some reps are over,
some close and some at risk. Rows are built in memory from one seeded ``random.Random`` and
inserted in bulk: the same seed and anchor date give the same data.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Profile
from coaching.models import (
    AccountPlan,
    AccountPlanAction,
    ActionItem,
    CoachingCadence,
    CoachingFeedback,
    CoachingSession,
    DealReview,
    InControl,
    Recognition,
    SessionKind,
    SessionStatus,
    StageTip,
)
from forecasts.models import ForecastPeriodKind, ForecastSubmission
from kpis.models import ActivityTarget, Quota, QuotaMetric
from reps.demo_texts import local, team_language
from reps.instants import fill_event_instants
from reps.models import (
    Account,
    Activity,
    ActivityKind,
    ActivityStatus,
    CustomerFeedback,
    ForecastCategory,
    Opportunity,
    OpportunityOwnerChange,
    OpportunityStageChange,
    Pipeline,
    Product,
    Rep,
    Stage,
    StageKind,
    Team,
    TeamMembership,
)

User = get_user_model()

BATCH = 5000
DEMO_REASON = "demo data"  # the change reason of the quotas and targets it seeds
REPS_PER_TEAM = 6
TEAMS_PER_REGION = 4

DEFAULT_STAGES = [
    # name, probability, kind, is_offer
    ("Prospecting", 10, StageKind.OPEN, False),
    ("Discovery", 20, StageKind.OPEN, False),
    ("Proposal", 50, StageKind.OPEN, True),
    ("Negotiation", 75, StageKind.OPEN, False),
    ("Won", 100, StageKind.WON, False),
    ("Lost", 0, StageKind.LOST, False),
]
STAGE_FORECAST_CATEGORIES = {"Proposal": ForecastCategory.BEST_CASE, "Negotiation": ForecastCategory.COMMIT}
OPEN_STAGE_NAMES = ["Prospecting", "Discovery", "Proposal", "Negotiation"]

PRODUCTS = [
    ("Starter licence", "Core", Decimal("1200.00")),
    ("Team licence", "Core", Decimal("4800.00")),
    ("Enterprise licence", "Core", Decimal("18000.00")),
    ("Onboarding package", "Services", Decimal("2500.00")),
    ("Training day", "Services", Decimal("900.00")),
    ("Premium support", "Support", Decimal("3600.00")),
]
REGIONS = ["North", "South", "East", "West", "Central", "Nordics", "Iberia", "Benelux", "Alps", "Baltics"]
TEAM_WORDS = ["Falcons", "Otters", "Comets", "Harbour", "Summit", "Delta", "Aurora", "Cedar", "Quartz", "Beacon"]
SEGMENTS = ["SMB", "Mid-market", "Enterprise"]
SECTORS = ["Software", "Retail", "Manufacturing", "Healthcare", "Finance", "Logistics", "Energy", "Education"]
FIRST_NAMES = [
    "Anna",
    "Bence",
    "Chloé",
    "Dimitris",
    "Eirik",
    "Fatemeh",
    "Gábor",
    "Hanna",
    "Ioanna",
    "Jonas",
    "Katalin",
    "Lars",
    "Maria",
    "Nikos",
    "Olivia",
    "Parisa",
    "Quentin",
    "Réka",
    "Sofie",
    "Tamás",
    "Ulla",
    "Vasilis",
    "Wiebke",
    "Xenia",
    "Yasmin",
    "Zoltán",
    "Amélie",
    "Bjørn",
    "Dara",
    "Elena",
]
LAST_NAMES = [
    "Kovács",
    "Papadopoulos",
    "Dubois",
    "Hansen",
    "Rahimi",
    "Nagy",
    "Martin",
    "Johansen",
    "Georgiou",
    "Horváth",
    "Moreau",
    "Larsen",
    "Karimi",
    "Szabó",
    "Bernard",
    "Nilsen",
    "Alexiou",
    "Tóth",
    "Petit",
    "Berg",
]
ACCOUNT_WORDS = [
    "Nordlys",
    "Athena",
    "Lumière",
    "Pannon",
    "Fjord",
    "Olympos",
    "Danube",
    "Azur",
    "Zagros",
    "Helios",
    "Tisza",
    "Bergen",
    "Cyclades",
    "Provence",
    "Balaton",
    "Troms",
    "Delphi",
    "Loire",
    "Alborz",
    "Kreta",
]
ACCOUNT_SUFFIXES = ["Systems", "Foods", "Logistics", "Energy", "Health", "Bank", "Retail", "Works", "Labs", "Group"]
NEXT_STEPS = [
    "Send proposal",
    "Book demo",
    "Follow-up call",
    "Confirm budget",
    "Meet decision maker",
    "Send contract",
    "Technical review",
    "Reference call",
]
LOST_REASONS = ["Price", "Chose a competitor", "No budget", "No decision", "Timing"]

# A rep's skill: the share of the quota they reach (jittered by QUOTA_JITTER, within the band).
# Under 80 %: at risk; 80 % to under 100 %: close; 100 % and over: on target (docs/kpis.md).
SKILL_LEVELS = [0.55, 0.7, 0.85, 0.95, 1.1, 1.2, 1.35]
QUOTA_JITTER = (0.95, 1.05)  # 0.7 × 1.05 < 0.8, 0.85 × 0.95 ≥ 0.8, 0.95 × 1.05 < 1, 1.1 × 0.95 ≥ 1
WIN_MINUTES = range(8 * 60, 17 * 60, 30)  # when, in a working day, a deal is marked won (08:00–16:30)

COACHING_WEEKS = 8  # weeks of one-to-ones before this one
FROZEN_AGENDA_WEEKS = 1  # held sessions of the last 7 days get their stored agenda at once (seed_demo)
FROZEN_AGENDA_LIMIT = 60  # the latest 60 of them at most: about 0.1 s each, the seed stays under a minute
ONE_TO_ONE_HOURS = [9, 10, 11, 14, 15]  # a manager's usual one-to-one slots, with the weekdays
ONE_TO_ONE_NOTES = [
    "Went through last week's numbers and the plan for this week.",
    "Pipeline review: two deals need a next step; agreed on the proposal follow-ups.",
    "Activity below target on calls; blocked two mornings for prospecting.",
    "Good week: a large deal won. Talked about what made it work.",
    "Forecast check: moved one deal to next quarter, committed the rest.",
]
PRIVATE_NOTES = [
    "Seems tired; ask about workload next time.",
    "Ready for larger accounts in a quarter or two.",
    "Overestimates late-stage deals: check the evidence with each one.",
    "",
    "",
]
EXTRA_SESSIONS = [
    # kind, minutes, notes
    (SessionKind.PRE_CALL, 20, "Prepared the discovery call: questions on budget, timing and the decision process."),
    (SessionKind.DEBRIEF, 15, "Debriefed the proposal meeting: the price came up early; practise handling it."),
    (SessionKind.DEAL_REVIEW, 30, "Reviewed the largest open deal: who decides, what is the next step and when."),
    (SessionKind.FIELD_VISIT, 120, "Joint visit to a key account; the rep led, the manager observed."),
]
FEEDBACK_TEXTS = [
    (
        "In the discovery call you presented the product before asking about the customer's problem.",
        "The customer did not say what hurts, so the proposal will be generic and easy to compare on price.",
        "Open with three questions about their current process and let them talk for the first ten minutes.",
    ),
    (
        "Three deals in Proposal have had no next step for more than two weeks.",
        "The forecast counts them, but nothing moves them forward: the pipeline looks better than it is.",
        "End every customer meeting with a dated next step and log it the same day.",
    ),
    (
        "You planned twelve calls last week and made five.",
        "Fewer conversations now means fewer offers next month and a quarter behind target.",
        "Block two mornings a week for calls and plan them on Friday for the week after.",
    ),
    (
        "When the customer asked for a discount you agreed at once.",
        "The deal closed at a lower margin and the customer learnt that the first price is not the real one.",
        "Ask what the discount is for and trade it for something: a longer term, a reference, a faster signature.",
    ),
    (
        "The proposal went out without the customer's success criteria.",
        "The decision maker could not see how it answers their problem and asked for another round.",
        "Write the customer's own words on their goals on the first page of every proposal.",
    ),
]
ACTION_TITLES = [
    "Book discovery meetings with three new accounts",
    "Add a dated next step to every open deal",
    "Send the proposal follow-ups agreed last week",
    "Ask two happy customers for a reference",
    "Update the expected close dates of the slipped deals",
    "Prepare the questions for the next discovery call",
    "Call back the customer who complained",
]

STAGE_TIPS = {  # stage: (tip, contact every N days, stalled after N days; None = the default rule)
    "Prospecting": (
        "Qualify fast: is there a real problem, a budget and someone who decides? Drop the deal if not.",
        7,
        None,
    ),
    "Discovery": (
        "Ask about the pain before you talk about the product, and end every meeting with a dated next step.",
        7,
        30,
    ),
    "Proposal": (
        "Present the proposal in a meeting, never only by e-mail, and agree with the decision maker when they decide.",
        5,
        21,
    ),
    "Negotiation": (
        "Trade every concession for something (term, volume, reference) and keep the signature date in sight.",
        3,
        14,
    ),
}
REVIEW_TEXTS = [
    (
        InControl.PARTLY,
        "We have not met the person who signs; the budget is confirmed only by our contact.",
        "Ask our contact to set up a 30-minute call with the finance director this week.",
    ),
    (
        InControl.NO,
        "No next meeting is booked and the customer has not answered the last two e-mails.",
        "Call the customer, and if they do not answer, write to their manager with a short summary.",
    ),
    (
        InControl.YES,
        "",
        "Send the final contract on Monday; the signature is planned for the end of the month.",
    ),
    (
        InControl.PARTLY,
        "We do not know which competitors are in the race or how the customer will compare offers.",
        "Ask at the next meeting how they will decide and who else they are talking to.",
    ),
]
RECOGNITION_TEXTS = [
    "You went past your target this month by preparing every proposal meeting with the customer's own goals.",
    "Great work turning the complaint into a renewal: you called back the same day and followed up every week.",
    "Your pipeline is the cleanest in the team: every deal has a dated next step. Keep it up.",
    "You helped a teammate prepare a difficult negotiation and the deal closed. That is team play.",
]
ACCOUNT_PLANS = [
    (
        "Renew the contract and add the analytics module before the end of the quarter",
        ["Book a review meeting with the customer's operations lead", "Send a usage report of the last six months"],
    ),
    (
        "Win back the trust after the delivery problem",
        [
            "Visit the customer together with the manager",
            "Agree a service plan with dated checkpoints",
            "Call every two weeks until the next order",
        ],
    ),
    (
        "Reach the decision maker and present the full offer",
        ["Ask our contact for an introduction to the purchasing director", "Prepare a business case with their figures"],
    ),
]


@dataclass
class DemoSummary:
    regions: int = 0
    teams: int = 0
    managers: int = 0
    reps: int = 0
    accounts: int = 0
    opportunities: int = 0
    activities: int = 0
    feedback: int = 0
    quotas: int = 0
    kpi_rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def has_sales_data() -> bool:
    return Team.objects.exists() or Rep.objects.exists() or Opportunity.objects.exists() or Pipeline.objects.exists()


@transaction.atomic
def reset_sales_data() -> None:
    """Delete every sales record and the users that belong to the sales team (not other admins)."""
    AccountPlan.objects.all().delete()  # with their actions
    Recognition.objects.all().delete()
    DealReview.objects.all().delete()
    StageTip.objects.all().delete()
    ActionItem.objects.all().delete()
    CoachingFeedback.objects.all().delete()
    CoachingSession.objects.all().delete()
    Quota.objects.all().delete()
    ActivityTarget.objects.all().delete()
    CustomerFeedback.objects.all().delete()
    Activity.objects.all().delete()
    OpportunityStageChange.objects.all().delete()
    OpportunityOwnerChange.objects.all().delete()
    Opportunity.objects.all().delete()
    Account.objects.all().delete()
    Product.objects.all().delete()
    Stage.objects.all().delete()
    Pipeline.objects.all().delete()
    team_user_ids = set(Rep.objects.values_list("user_id", flat=True))
    team_user_ids |= set(Team.objects.exclude(manager=None).values_list("manager_id", flat=True))
    TeamMembership.objects.all().delete()
    Rep.objects.all().delete()
    Team.objects.filter(parent__isnull=False).delete()
    Team.objects.all().delete()
    User.objects.filter(pk__in=team_user_ids).delete()
    User.objects.filter(username="admin").delete()


def _working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


class DemoBuilder:
    """Builds the demo rows for ``rep_count`` reps over ``weeks`` weeks up to ``today``."""

    def __init__(
        self,
        *,
        rep_count: int,
        weeks: int,
        seed: int,
        password: str,
        today: dt.date,
        progress: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.rng = random.Random(seed)
        # the forecast calls draw from their own stream, so the rest of the demo stays as it was
        self.forecast_rng = random.Random(seed * 7919 + 1)
        self.rep_count = rep_count
        self.weeks = weeks
        self.today = today
        self.start = today - dt.timedelta(weeks=weeks)
        self.start -= dt.timedelta(days=self.start.weekday())  # a Monday
        self.password_hash = make_password(password)  # hashed once: every demo user shares it
        self.zone = ZoneInfo(settings.TIME_ZONE)
        # Nothing happens after "now": the real moment when the demo ends today, else the end
        # of the pinned day (--today).
        self.now = timezone.now() if today == timezone.localdate() else self.at(today, 23, 59)
        self.progress = progress
        self.summary = DemoSummary()
        self.language: dict[int, str] = {}  # team id: the language its manager and reps write in

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)

    def happened(self, day: dt.date, hour: int, minute: int = 0) -> bool:
        """Whether that moment is not after "now" (a deal moved or a call made at 15:00 today
        has not happened yet at 9:00)."""
        return self.at(day, hour, minute) <= self.now

    def reaches_offer(self, stage: Stage) -> bool:
        """The offer stage, a later open stage, or won (shared KPI definitions, "Stages")."""
        if stage.kind == StageKind.WON:
            return True
        return stage.kind == StageKind.OPEN and stage.order >= self.stages["Proposal"].order

    # --- people ----------------------------------------------------------------------------

    def build_people(self) -> None:
        rng = self.rng
        team_count = max(1, math.ceil(self.rep_count / REPS_PER_TEAM))
        region_count = max(1, math.ceil(team_count / TEAMS_PER_REGION))
        User.objects.create(
            username="admin",
            first_name="Ada",
            last_name="Admin",
            email="admin@example.com",
            is_staff=True,
            is_superuser=True,
            password=self.password_hash,
        )
        manager_users = User.objects.bulk_create(
            User(
                username=f"manager{i + 1}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                email=f"manager{i + 1}@example.com",
                password=self.password_hash,
            )
            for i in range(team_count + region_count)
        )
        regions = Team.objects.bulk_create(
            Team(
                name=f"{REGIONS[i % len(REGIONS)]}{'' if i < len(REGIONS) else f' {i // len(REGIONS) + 1}'} region",
                manager=manager_users[team_count + i],
            )
            for i in range(region_count)
        )
        self.teams = Team.objects.bulk_create(
            Team(
                name=f"{regions[i // TEAMS_PER_REGION].name.removesuffix(' region')} {TEAM_WORDS[i % len(TEAM_WORDS)]}",
                manager=manager_users[i],
                parent=regions[i // TEAMS_PER_REGION],
            )
            for i in range(team_count)
        )
        rep_users = User.objects.bulk_create(
            User(
                username=f"rep{i + 1}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                email=f"rep{i + 1}@example.com",
                password=self.password_hash,
            )
            for i in range(self.rep_count)
        )
        reps = []
        for i, user in enumerate(rep_users):
            started = self.start - dt.timedelta(days=rng.randint(30, 900))
            reps.append(
                Rep(
                    user=user,
                    team=self.teams[i // REPS_PER_TEAM],
                    segment=SEGMENTS[i % len(SEGMENTS)],
                    territory=f"{self.teams[i // REPS_PER_TEAM].parent.name.removesuffix(' region')} {1 + i % 3}",
                    start_date=started,
                )
            )
        self.reps = Rep.objects.bulk_create(reps)
        # Skill drives results: some reps end up over quota, some close, some at risk. Dealt
        # from a shuffled deck, so any seven reps in a row hold every level and a team shows
        # the three bands (SKILL_LEVELS).
        deck: list[float] = []
        self.skill = {}
        for rep in self.reps:
            if not deck:
                deck = rng.sample(SKILL_LEVELS, len(SKILL_LEVELS))
            self.skill[rep.pk] = deck.pop()
        memberships = []
        # Every sixth rep moved team a few months ago (membership history).
        for i, rep in enumerate(self.reps):
            if i % 6 == 5 and len(self.teams) > 1:
                moved_on = max(self.today - dt.timedelta(days=rng.randint(60, 120)), rep.start_date + dt.timedelta(days=14))
                previous = self.teams[(i // REPS_PER_TEAM + 1) % len(self.teams)]
                memberships.append(
                    TeamMembership(rep=rep, team=previous, start_date=rep.start_date, end_date=moved_on - dt.timedelta(days=1))
                )
                memberships.append(TeamMembership(rep=rep, team=rep.team, start_date=moved_on))
            else:
                memberships.append(TeamMembership(rep=rep, team=rep.team, start_date=rep.start_date))
        TeamMembership.objects.bulk_create(memberships)
        # Each team works in one of the offered languages (their interface language too), the
        # region managers in their first team's.
        self.language = {team.pk: team_language(i) for i, team in enumerate(self.teams)}
        languages = {team.manager_id: self.language[team.pk] for team in self.teams}
        for i, region in enumerate(regions):
            languages[region.manager_id] = team_language(i * TEAMS_PER_REGION)
        languages.update((rep.user_id, self.language[rep.team_id]) for rep in self.reps)
        Profile.objects.bulk_create(Profile(user_id=user_id, language=language) for user_id, language in languages.items())
        self.summary.regions, self.summary.teams = len(regions), len(self.teams)
        self.summary.managers, self.summary.reps = len(manager_users), len(self.reps)
        self.progress(f"{len(self.reps)} reps in {len(self.teams)} teams and {len(regions)} regions")

    # --- catalogue -------------------------------------------------------------------------

    def build_catalogue(self) -> None:
        self.pipeline = Pipeline.objects.create(name="Default", is_default=True)
        self.stages = {
            stage.name: stage
            for stage in Stage.objects.bulk_create(
                Stage(
                    pipeline=self.pipeline,
                    name=name,
                    order=order,
                    probability=prob,
                    kind=kind,
                    is_offer=offer,
                    forecast_category=STAGE_FORECAST_CATEGORIES.get(name, ForecastCategory.PIPELINE),
                )
                for order, (name, prob, kind, offer) in enumerate(DEFAULT_STAGES, start=1)
            )
        }
        self.products = Product.objects.bulk_create(
            Product(name=name, series=series, list_price=price) for name, series, price in PRODUCTS
        )
        rng = self.rng
        accounts = []
        for rep in self.reps:
            for _ in range(8):
                accounts.append(
                    Account(
                        name=f"{rng.choice(ACCOUNT_WORDS)} {rng.choice(ACCOUNT_SUFFIXES)} {len(accounts) + 1}",
                        owner=rep,
                        segment=rep.segment,
                        territory=rep.territory,
                        sector=rng.choice(SECTORS),
                    )
                )
        self.accounts = Account.objects.bulk_create(accounts, batch_size=BATCH)
        self.accounts_of: dict[int, list[Account]] = defaultdict(list)
        for account in self.accounts:
            self.accounts_of[account.owner_id].append(account)
        self.summary.accounts = len(self.accounts)

    # --- opportunities ---------------------------------------------------------------------

    def build_opportunities(self) -> None:
        rng, stages = self.rng, self.stages
        opportunities: list[Opportunity] = []
        histories: list[list[tuple[Stage, dt.datetime]]] = []
        owners: list[list[tuple[Rep, dt.datetime]]] = []
        self.meetings: list[Activity] = []
        reps_by_team: dict[int, list[Rep]] = defaultdict(list)
        for rep in self.reps:
            reps_by_team[rep.team_id].append(rep)
        for rep in self.reps:
            skill = self.skill[rep.pk]
            week = self.start
            while week <= self.today:
                for _ in range(rng.choice([1, 1, 2, 2, 3])):
                    created = week + dt.timedelta(days=rng.randint(0, 4))
                    if created > self.today or not self.happened(created, 9, 30):
                        continue
                    product = rng.choice(self.products)
                    amount = product.list_price * rng.choice([1, 1, 2, 3, 5])
                    account = rng.choice(self.accounts_of[rep.pk])
                    path, day = [(stages["Prospecting"], self.at(created, 9, 30))], created
                    final = None
                    for name in OPEN_STAGE_NAMES[1:]:
                        if rng.random() > min(0.92, 0.55 + 0.25 * skill):
                            final = "Lost"
                            break
                        day += dt.timedelta(days=rng.randint(3, 18))
                        if day > self.today or not self.happened(day, 11):
                            break
                        path.append((stages[name], self.at(day, 11)))
                    else:
                        final = "Won" if rng.random() < min(0.9, 0.45 + 0.3 * skill) else "Lost"
                    if final:
                        day += dt.timedelta(days=rng.randint(2, 15))
                        if day <= self.today and self.happened(day, 15):
                            path.append((stages[final], self.at(day, 15)))
                    last_stage, last_at = path[-1]
                    offer = next((at.date() for st, at in path if self.reaches_offer(st)), None)
                    close = last_at.date() if last_stage.kind != StageKind.OPEN else None
                    expected = created + dt.timedelta(days=rng.randint(30, 100))
                    if close is None and rng.random() < 0.25:
                        expected = self.today - dt.timedelta(days=rng.randint(1, 20))  # slipped deals
                    opportunities.append(
                        Opportunity(
                            name=f"{account.name.rsplit(' ', 1)[0]} – {product.name}",
                            account=account,
                            owner=rep,
                            pipeline=self.pipeline,
                            stage=last_stage,
                            product=product,
                            amount=amount,
                            created_date=created,
                            expected_close_date=expected,
                            close_date=close,
                            offer_date=offer,
                            next_step="" if close else rng.choice(NEXT_STEPS),
                            next_step_date=None if close else self.today + dt.timedelta(days=rng.randint(-10, 14)),
                            lost_reason=rng.choice(LOST_REASONS) if last_stage.kind == StageKind.LOST else "",
                            stage_changed_at=last_at,
                        )
                    )
                    histories.append(path)
                    owner_path = [(rep, path[0][1])]
                    teammates = [r for r in reps_by_team[rep.team_id] if r.pk != rep.pk]
                    if teammates and len(path) > 2 and rng.random() < 0.04:
                        # Handed over mid-way: the earlier events stay with the first owner.
                        new_owner = rng.choice(teammates)
                        owner_path.append((new_owner, path[1][1] + dt.timedelta(hours=1)))
                        opportunities[-1].owner = new_owner
                    owners.append(owner_path)
                week += dt.timedelta(days=7)
        self._win_this_month(opportunities, histories)
        self.opportunities = Opportunity.objects.bulk_create(opportunities, batch_size=BATCH)
        stage_rows, owner_rows = [], []
        for opportunity, path, owner_path in zip(self.opportunities, histories, owners, strict=True):
            previous = None
            for stage, at in path:
                stage_rows.append(
                    OpportunityStageChange(opportunity=opportunity, from_stage=previous, to_stage=stage, changed_at=at)
                )
                previous = stage
                credited = [o for o, since in owner_path if since <= at][-1]
                if stage.name in ("Discovery", "Proposal"):
                    self.meetings.append(
                        Activity(
                            owner=credited,
                            kind=ActivityKind.DISCOVERY_MEETING if stage.name == "Discovery" else ActivityKind.PROPOSAL_MEETING,
                            status=ActivityStatus.DONE,
                            subject=f"{stage.name} meeting: {opportunity.name}",
                            planned_date=at.date() - dt.timedelta(days=self.rng.randint(0, 5)),
                            done_at=at - dt.timedelta(hours=1),
                            account=opportunity.account,
                            opportunity=opportunity,
                        )
                    )
            previous_owner = None
            for owner, since in owner_path:
                owner_rows.append(
                    OpportunityOwnerChange(opportunity=opportunity, from_owner=previous_owner, to_owner=owner, changed_at=since)
                )
                previous_owner = owner
        OpportunityStageChange.objects.bulk_create(stage_rows, batch_size=BATCH)
        OpportunityOwnerChange.objects.bulk_create(owner_rows, batch_size=BATCH)
        # The events' instants (KPI credit to the owner at that moment), from the history just written.
        fill_event_instants(opportunity_model=Opportunity, stage_change_model=OpportunityStageChange, stage_model=Stage)
        self.summary.opportunities = len(self.opportunities)
        self.progress(f"{len(self.opportunities)} opportunities with {len(stage_rows)} stage changes")

    def _win_this_month(self, opportunities: list[Opportunity], histories: list[list[tuple[Stage, dt.datetime]]]) -> None:
        """Give most reps who have won nothing yet this month a win in its elapsed part.

        Deals close a few days apart, so early in a month most reps have won nothing and the
        pace rule (today counts as elapsed) puts nearly all of them at risk; a real team has
        closed something. Each such rep's most advanced open deal (Negotiation, else Proposal)
        is won on a working day of this month at a moment not after "now" and after its last
        stage change. Before 08:00 on the month's first working day nothing can have happened
        yet: the month then shows few figures (the previous month still has its mix). The
        quota of the month is set from what was won (``build_targets_and_quotas``), so each
        rep's pace lands on their skill level."""
        rng = self.rng
        month_start = self.today.replace(day=1)
        moments = [
            moment
            for day in _working_days(month_start, self.today)
            for minutes in WIN_MINUTES
            if (moment := self.at(day, minutes // 60, minutes % 60)) <= self.now
        ]
        if not moments:
            return
        won_this_month = {o.owner_id for o in opportunities if o.stage.kind == StageKind.WON and o.close_date >= month_start}
        candidates: dict[int, list[int]] = defaultdict(list)  # rep id -> indexes of its late-stage open deals
        for index, opportunity in enumerate(opportunities):
            if opportunity.stage.name in ("Negotiation", "Proposal") and opportunity.owner_id not in won_this_month:
                candidates[opportunity.owner_id].append(index)
        for rep in self.reps:
            if rng.random() < 0.2:
                continue  # one in five has still won nothing, as in a real team
            indexes = sorted(candidates[rep.pk], key=lambda i: (opportunities[i].stage.order, i), reverse=True)
            for index in indexes:
                path = histories[index]
                later = [moment for moment in moments if moment > path[-1][1]]
                if not later:
                    continue
                won_at = rng.choice(later)
                path.append((self.stages["Won"], won_at))
                opportunity = opportunities[index]
                opportunity.stage = self.stages["Won"]
                opportunity.close_date = won_at.date()
                opportunity.stage_changed_at = won_at
                opportunity.next_step, opportunity.next_step_date = "", None
                break

    # --- activities ------------------------------------------------------------------------

    def build_activities(self) -> None:
        rng = self.rng
        activities = list(self.meetings)
        horizon = self.today + dt.timedelta(days=13 - self.today.weekday())  # end of next week
        for rep in self.reps:
            diligence = 0.6 + 0.3 * min(self.skill[rep.pk], 1.2)
            accounts = self.accounts_of[rep.pk]
            week = self.start
            while week <= horizon:
                for kind, per_week in (
                    (ActivityKind.CALL, rng.randint(8, 16)),
                    (ActivityKind.EMAIL, rng.randint(5, 10)),
                    (ActivityKind.OTHER_MEETING, rng.randint(0, 2)),
                    (ActivityKind.TASK, rng.randint(1, 4)),
                ):
                    for _ in range(per_week):
                        day = week + dt.timedelta(days=rng.randint(0, 4))
                        planned = rng.random() < 0.8
                        if day > self.today:
                            if not planned:
                                continue
                            status, done_at = ActivityStatus.PLANNED, None
                        elif rng.random() < diligence or not planned:
                            status, done_at = ActivityStatus.DONE, self.at(day, rng.randint(8, 17), rng.choice([0, 15, 30, 45]))
                            if done_at > self.now:  # later today: still to do
                                if not planned:
                                    continue
                                status, done_at = ActivityStatus.PLANNED, None
                        elif rng.random() < 0.5 or day < self.today - dt.timedelta(days=14):
                            status, done_at = ActivityStatus.CANCELLED, None
                        else:
                            status, done_at = ActivityStatus.PLANNED, None  # overdue
                        account = rng.choice(accounts)
                        activities.append(
                            Activity(
                                owner=rep,
                                kind=kind,
                                status=status,
                                subject=f"{ActivityKind(kind).label}: {account.name}",
                                planned_date=day if planned else None,
                                done_at=done_at,
                                account=account,
                            )
                        )
                week += dt.timedelta(days=7)
        Activity.objects.bulk_create(activities, batch_size=BATCH)
        self.summary.activities = len(activities)
        self.progress(f"{len(activities)} activities")

    # --- feedback, targets and quotas ------------------------------------------------------

    def build_feedback(self) -> None:
        rng = self.rng
        rows = []
        for account in self.accounts:
            for _ in range(rng.randint(0, 3)):
                complaint = rng.random() < 0.07
                rows.append(
                    CustomerFeedback(
                        account=account,
                        rep_id=account.owner_id,
                        date=self.start + dt.timedelta(days=rng.randint(0, (self.today - self.start).days)),
                        score=rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5, 5]) if not complaint or rng.random() < 0.5 else None,
                        is_complaint=complaint,
                        text="Delivery was late." if complaint else "",
                    )
                )
        CustomerFeedback.objects.bulk_create(rows, batch_size=BATCH)
        self.summary.feedback = len(rows)

    def build_targets_and_quotas(self) -> None:
        rng = self.rng
        # With their first history rows (one bulk insert each), so a later change shows the old value.
        bulk_create_with_history(
            [
                ActivityTarget(team=team, kind=kind, per_week=per_week, start_date=self.start)
                for team in self.teams
                for kind, per_week in (
                    (ActivityKind.CALL, 12),
                    (ActivityKind.DISCOVERY_MEETING, 2),
                    (ActivityKind.PROPOSAL_MEETING, 1),
                )
            ],
            ActivityTarget,
            batch_size=BATCH,
            default_change_reason=DEMO_REASON,
        )
        won: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)  # rep id -> (close date, amount)
        for opportunity in self.opportunities:
            if opportunity.stage.kind == StageKind.WON:
                won[opportunity.owner_id].append((opportunity.close_date, opportunity.amount))
        # Monthly won-revenue quotas for each rep, from the first whole month through the end
        # of the next quarter. Monthly only: a rep's quotas never overlap (docs/quotas.md) and
        # a quarter's target is the sum of its months' (docs/kpis.md, "Quota"); teams have no
        # quota of their own, so a team's target is the sum of its reps'.
        last = _add_months(_quarter_start(self.today), 5)
        periods = []
        month = _add_months(self.start, 1)
        while month <= last:
            periods.append((month, _month_end(month)))
            month = _add_months(month, 1)
        quotas = []
        days = max((self.today - self.start).days + 1, 1)
        typical = sum((amount for deals in won.values() for _day, amount in deals), Decimal(0)) / max(len(self.reps), 1) / days
        for rep in self.reps:
            # What this rep wins a day, from their history: the base of the months to come.
            pace = sum((amount for _day, amount in won[rep.pk]), Decimal(0)) / days or typical
            for start, end in periods:
                # The quota is set so this rep lands near their skill level: ambitious but
                # reachable for the strong (over 100 %), short for the weak (70–80 %).
                wanted = Decimal(str(self.skill[rep.pk] * rng.uniform(*QUOTA_JITTER)))
                if start <= self.today:
                    elapsed = _working_days(start, min(end, self.today))
                    total = _working_days(start, end)
                    actual = sum((amount for day, amount in won[rep.pk] if start <= day <= end), Decimal(0))
                    projected = actual * len(total) / max(len(elapsed), 1)
                else:
                    projected = pace * ((end - start).days + 1)
                target = projected / wanted if projected else typical * ((end - start).days + 1)
                target = max(Decimal(1000), target.quantize(Decimal(100)))
                quotas.append(Quota(rep=rep, metric=QuotaMetric.WON_REVENUE, start_date=start, end_date=end, target=target))
        bulk_create_with_history(quotas, Quota, batch_size=BATCH, default_change_reason=DEMO_REASON)
        self.summary.quotas = len(quotas)

    # --- forecasts --------------------------------------------------------------------------

    def build_forecasts(self) -> None:
        """Monthly forecast calls: each rep calls every month near its midpoint and again in its
        last days (the two calls forecast accuracy counts), and calls the current month once it
        has begun; each team's and region's manager calls the sum of the calls below. The
        commits land around what was won, optimists over and cautious reps under, so the
        accuracy and bias tables have figures."""
        rng = self.forecast_rng
        won: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)  # (rep id, month) -> won revenue
        for opportunity in self.opportunities:
            if opportunity.stage.kind == StageKind.WON and opportunity.close_date:
                won[(opportunity.owner_id, opportunity.close_date.replace(day=1))] += opportunity.amount
        lean = {rep.pk: rng.uniform(-0.15, 0.2) for rep in self.reps}  # the rep's usual bias
        hundred = Decimal(100)
        calls: list[ForecastSubmission] = []
        team_sums: dict[tuple[int, dt.date, dt.datetime], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        month = _add_months(self.start, 1)
        while month <= self.today:
            end = _month_end(month)
            days = (end - month).days + 1
            moments = [
                (month + dt.timedelta(days=days // 2 - 2), 0.35),  # before the midpoint: a rough call
                (end - dt.timedelta(days=2), 0.08),  # in the last days: a close one
            ]
            if end >= self.today:
                moments = [(month + dt.timedelta(days=1), 0.35)]  # the current month: called once begun
            for day, spread in moments:
                at = self.at(day, 16)
                if not self.happened(day, 16):
                    continue
                for rep in self.reps:
                    actual = won[(rep.pk, month)]
                    commit = actual * Decimal(str(1 + lean[rep.pk] + rng.uniform(-spread, spread)))
                    commit = max(Decimal(0), (commit / hundred).quantize(Decimal(1)) * hundred)
                    best = (commit * Decimal(str(rng.uniform(1.1, 1.5))) / hundred).quantize(Decimal(1)) * hundred
                    calls.append(
                        ForecastSubmission(
                            rep=rep,
                            period_kind=ForecastPeriodKind.MONTH,
                            period_start=month,
                            period_end=end,
                            commit=commit,
                            best_case=best,
                            submitted_by=rep.user,
                            submitted_at=at,
                        )
                    )
                    for team in (rep.team, rep.team.parent):
                        if team is not None:
                            sums = team_sums[(team.pk, month, at)]
                            sums[0] += commit
                            sums[1] += best
            month = _add_months(month, 1)
        teams = {team.pk: team for rep in self.reps for team in (rep.team, rep.team.parent) if team is not None}
        for (team_id, start, at), (commit, best) in team_sums.items():
            team = teams[team_id]
            calls.append(
                ForecastSubmission(
                    team=team,
                    period_kind=ForecastPeriodKind.MONTH,
                    period_start=start,
                    period_end=_month_end(start),
                    commit=commit,
                    best_case=best,
                    submitted_by=team.manager,
                    submitted_at=at + dt.timedelta(hours=1),  # after the reps' calls
                )
            )
        ForecastSubmission.objects.bulk_create(calls, batch_size=BATCH)
        self.summary.counts.update(forecast_calls=len(calls))
        self.progress(f"{len(calls)} forecast calls")

    # --- coaching ---------------------------------------------------------------------------

    def build_coaching(self) -> None:
        """Weekly one-to-ones with the team's manager over the last weeks (most held, some
        cancelled) and one planned next week, a few other sessions, 3-part feedback on some
        held one-to-ones and the action items agreed in them (most done, some open or overdue).
        Three bulk inserts whatever the number of reps."""
        rng = self.rng
        this_monday = self.today - dt.timedelta(days=self.today.weekday())
        first_monday = max(this_monday - dt.timedelta(weeks=COACHING_WEEKS), self.start)
        sessions: list[CoachingSession] = []
        one_to_ones: list[CoachingSession] = []  # held ones, for feedback and actions
        cadences: list[CoachingCadence] = []
        # Each rep's usual slot; a manager's reps never share one, so no two one-to-ones clash.
        free_slots: dict[int, list[tuple[int, int]]] = {}
        busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)

        def book(coach_id: int, start: dt.datetime, minutes: int) -> bool:
            end = start + dt.timedelta(minutes=minutes)
            if any(b_start < end and start < b_end for b_start, b_end in busy[coach_id]):
                return False
            busy[coach_id].append((start, end))
            return True

        for rep in self.reps:
            coach = rep.team.manager
            language = self.language.get(rep.team_id, "en")
            if coach.pk not in free_slots:
                free_slots[coach.pk] = [(day, hour) for day in range(5) for hour in ONE_TO_ONE_HOURS]
                rng.shuffle(free_slots[coach.pk])
            weekday, hour = free_slots[coach.pk].pop()
            cadences.append(CoachingCadence(rep=rep, weekday=weekday, time=dt.time(hour), minutes=45))
            monday = first_monday
            while monday <= this_monday:
                day = monday + dt.timedelta(days=weekday)
                monday += dt.timedelta(weeks=1)
                if day > self.today:
                    break  # the rest of this week and next: planned from the cadence (coaching.planning)
                if day < self.today:
                    status = SessionStatus.CANCELLED if rng.random() < 0.12 else SessionStatus.HELD
                else:
                    status = SessionStatus.PLANNED
                held = status == SessionStatus.HELD
                session = CoachingSession(
                    rep=rep,
                    coach=coach,
                    kind=SessionKind.ONE_TO_ONE,
                    scheduled_for=self.at(day, hour),
                    minutes=rng.choice([30, 45, 45, 60]) if held else 45,
                    status=status,
                    shared_notes=local(rng.choice(ONE_TO_ONE_NOTES), language) if held else "",
                    private_notes=local(rng.choice(PRIVATE_NOTES), language) if held else "",
                    created_at=self.at(day - dt.timedelta(days=7), 8),
                )
                if status != SessionStatus.CANCELLED:
                    book(coach.pk, session.scheduled_for, session.minutes)
                sessions.append(session)
                if held:
                    one_to_ones.append(session)
        for rep in self.reps:  # after every one-to-one is booked: the extra sessions fit around them
            coach = rep.team.manager
            for _ in range(rng.randint(1, 3)):
                kind, minutes, notes = rng.choice(EXTRA_SESSIONS)
                day = first_monday + dt.timedelta(days=rng.randint(0, max((self.today - first_monday).days - 1, 0)))
                if day.weekday() >= 5 or day >= self.today:
                    continue
                start = self.at(day, rng.choice([8, 13, 16]))
                if not book(coach.pk, start, minutes):
                    continue  # the manager is busy then
                sessions.append(
                    CoachingSession(
                        rep=rep,
                        coach=coach,
                        kind=kind,
                        scheduled_for=start,
                        minutes=minutes,
                        status=SessionStatus.HELD,
                        shared_notes=notes,
                        created_at=self.at(day, 7),
                    )
                )
        CoachingCadence.objects.bulk_create(cadences, batch_size=BATCH)
        CoachingSession.objects.bulk_create(sessions, batch_size=BATCH)  # sets the pks the rows below use

        feedback, actions = [], []
        for session in one_to_ones:
            day = session.scheduled_for.date()
            language = self.language.get(session.rep.team_id, "en")
            if rng.random() < 0.35:
                problem, consequence, improvement = (local(text, language) for text in rng.choice(FEEDBACK_TEXTS))
                feedback.append(
                    CoachingFeedback(
                        rep=session.rep,
                        given_by=session.coach,
                        session=session,
                        date=day,
                        problem=problem,
                        consequence=consequence,
                        improvement=improvement,
                        created_at=session.scheduled_for + dt.timedelta(minutes=session.minutes),
                    )
                )
            for title in rng.sample(ACTION_TITLES, rng.choice([0, 1, 1, 2])):
                due = day + dt.timedelta(days=rng.randint(3, 10))
                done_at = None
                if due < self.today and rng.random() < 0.8:  # the rest stay open: overdue
                    done_at = self.at(max(day, due - dt.timedelta(days=rng.randint(0, 3))), rng.randint(9, 17))
                    done_at = max(done_at, session.scheduled_for + dt.timedelta(minutes=session.minutes))
                actions.append(
                    ActionItem(
                        rep=session.rep,
                        created_by=session.coach,
                        session=session,
                        title=local(title, language),
                        due_date=due,
                        done_at=done_at,
                        created_at=session.scheduled_for + dt.timedelta(minutes=session.minutes),
                    )
                )
        CoachingFeedback.objects.bulk_create(feedback, batch_size=BATCH)
        ActionItem.objects.bulk_create(actions, batch_size=BATCH)
        self.summary.counts.update(coaching_sessions=len(sessions), coaching_feedback=len(feedback), action_items=len(actions))
        self.progress(f"{len(sessions)} coaching sessions, {len(feedback)} feedback, {len(actions)} action items")

    def build_coaching_plan(self) -> None:
        """The one-to-ones of the rest of this week and next, from the cadences, by the same
        planning as the nightly run (so the demo shows what a manager finds on a Monday)."""
        from coaching.planning import plan_one_to_ones

        result = plan_one_to_ones(today=self.today)
        self.summary.counts.update(one_to_ones_planned=len(result.created))
        self.progress(f"{len(result.created)} one-to-ones planned ahead")

    def build_coaching_records(self) -> None:
        """Coaching tips for the open stages, a review of one or two open deals per rep (with an
        action item agreed in some), recognition for the reps who sell best (some shared with the
        team) and an account plan for about one rep in three. A handful of bulk inserts."""
        rng = self.rng
        tips = [
            StageTip(stage=self.stages[name], tip=tip, contact_every_days=every, stall_after_days=stall)
            for name, (tip, every, stall) in STAGE_TIPS.items()
        ]
        StageTip.objects.bulk_create(tips)
        open_deals: dict[int, list[Opportunity]] = defaultdict(list)
        for opportunity in self.opportunities:
            if opportunity.stage.kind == StageKind.OPEN:
                open_deals[opportunity.owner_id].append(opportunity)
        reviews, review_actions, recognitions, plans, plan_actions = [], [], [], [], []
        for rep in self.reps:
            manager = rep.team.manager
            language = self.language.get(rep.team_id, "en")
            deals = sorted(open_deals[rep.pk], key=lambda o: (-o.amount, o.created_date))[:4]
            for deal in rng.sample(deals, min(len(deals), rng.choice([1, 2]))):
                day = self.today - dt.timedelta(days=rng.randint(1, 20))
                in_control, missing, next_step = rng.choice(REVIEW_TEXTS)
                reviews.append(
                    DealReview(
                        opportunity=deal,
                        rep=rep,
                        reviewed_by=manager,
                        date=day,
                        in_control=in_control,
                        missing=missing,
                        next_step=next_step,
                        private_notes=local(rng.choice(PRIVATE_NOTES), language) if rng.random() < 0.5 else "",
                        created_at=self.at(day, 16),
                    )
                )
                action = None
                if in_control != InControl.YES:
                    action = ActionItem(
                        rep=rep,
                        created_by=manager,
                        title=next_step[:200],
                        due_date=day + dt.timedelta(days=7),
                        created_at=self.at(day, 16),
                    )
                review_actions.append(action)
            if self.skill[rep.pk] >= 1.05 or rng.random() < 0.15:
                day = self.today - dt.timedelta(days=rng.randint(2, 40))
                recognitions.append(
                    Recognition(
                        rep=rep,
                        given_by=manager,
                        date=day,
                        text=local(rng.choice(RECOGNITION_TEXTS), language),
                        shared_with_team=rng.random() < 0.5,
                        created_at=self.at(day, 17),
                    )
                )
            # about one rep in three, and at least one so that every demo shows a plan
            if (rng.random() < 0.35 or not plans) and self.accounts_of[rep.pk]:
                account = rng.choice(self.accounts_of[rep.pk])
                goal, actions = rng.choice(ACCOUNT_PLANS)
                # written weeks ago (before its actions' due dates), so past agendas list its actions
                created = self.at(self.today - dt.timedelta(days=rng.randint(14, 28)), 8)
                plan = AccountPlan(account=account, rep=rep, goal=goal, created_by=manager, created_at=created)
                plans.append(plan)
                for index, title in enumerate(actions):
                    due = self.today + dt.timedelta(days=rng.randint(-10, 30))
                    done = self.at(due, 12) if due < self.today and rng.random() < 0.6 else None
                    plan_actions.append(
                        AccountPlanAction(
                            plan=plan, title=title, owner=rep.user if index else manager, due_date=due, done_at=done
                        )
                    )
        DealReview.objects.bulk_create(reviews, batch_size=BATCH)
        ActionItem.objects.bulk_create([a for a in review_actions if a is not None], batch_size=BATCH)
        DealReview.action_items.through.objects.bulk_create(
            [
                DealReview.action_items.through(dealreview_id=review.pk, actionitem_id=action.pk)
                for review, action in zip(reviews, review_actions, strict=True)
                if action is not None
            ],
            batch_size=BATCH,
        )
        Recognition.objects.bulk_create(recognitions, batch_size=BATCH)
        AccountPlan.objects.bulk_create(plans, batch_size=BATCH)
        for action in plan_actions:
            action.plan_id = action.plan.pk  # the plans got their pks just above
        AccountPlanAction.objects.bulk_create(plan_actions, batch_size=BATCH)
        self.summary.counts.update(
            stage_tips=len(tips), deal_reviews=len(reviews), recognitions=len(recognitions), account_plans=len(plans)
        )
        self.progress(f"{len(reviews)} deal reviews, {len(recognitions)} recognitions, {len(plans)} account plans")

    def build(self) -> DemoSummary:
        self.build_people()
        self.build_catalogue()
        self.build_opportunities()
        self.build_activities()
        self.build_feedback()
        self.build_targets_and_quotas()
        self.build_forecasts()
        self.build_coaching()
        self.build_coaching_records()
        self.build_coaching_plan()
        return self.summary


@transaction.atomic
def seed_demo(
    *,
    rep_count: int,
    weeks: int,
    seed: int,
    password: str,
    today: dt.date,
    progress: Callable[[str], None] = lambda _message: None,
) -> DemoSummary:
    """Create the demo data in one transaction, recompute every KPI row, then store the agendas
    of the last 7 days' held sessions (they read the KPI rows)."""
    from coaching.agenda import freeze_missing
    from kpis.services import kpi_recompute

    builder = DemoBuilder(rep_count=rep_count, weeks=weeks, seed=seed, password=password, today=today, progress=progress)
    summary = builder.build()
    progress("computing KPIs")
    summary.kpi_rows = kpi_recompute()
    # Held sessions are seeded in bulk, without the agenda that marking a session held stores.
    # Storing one costs about 0.1 s (tens of queries), so only the ones a manager opens are
    # stored here; the older ones read the same live (as of their start) until the nightly run
    # or plan_one_to_ones stores them (docs/coaching.md, "The one-to-one agenda").
    since = builder.at(today - dt.timedelta(weeks=FROZEN_AGENDA_WEEKS), 0)
    frozen = freeze_missing(since=since, now=builder.now, limit=FROZEN_AGENDA_LIMIT, newest_first=True)
    summary.counts.update(frozen_agendas=frozen)
    progress(f"{frozen} agendas stored: the held sessions of the last {FROZEN_AGENDA_WEEKS * 7} days")
    return summary
