"""A small sales organisation with one record of each kind per rep, for access tests.

Team A (manager ``manager``): ``rep`` and ``teammate``. Team B: ``other_rep``. Plus an
admin, a user with no role, and a shared account without owner.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reps import services
from reps.models import Account, Activity, CustomerFeedback, Opportunity, Pipeline, Rep, Team
from tests.factories import AccountFactory, AdminFactory, RepFactory, TeamFactory, UserFactory, make_pipeline


@dataclass
class World:
    pipeline: Pipeline
    team: Team
    other_team: Team
    manager: Any
    rep: Rep
    teammate: Rep
    other_rep: Rep
    admin: Any
    nobody: Any
    accounts: dict[str, Account]
    opportunities: dict[str, Opportunity]
    activities: dict[str, Activity]
    feedback: dict[str, CustomerFeedback]

    def rep_named(self, key: str) -> Rep:
        return {"rep": self.rep, "teammate": self.teammate, "other_rep": self.other_rep}[key]


def make_world() -> World:
    pipeline = make_pipeline()
    team = TeamFactory(name="Team A")
    other_team = TeamFactory(name="Team B")
    rep = RepFactory(team=team, user__username="rita", user__first_name="Rita", user__last_name="Rep")
    teammate = RepFactory(team=team, user__username="tom")
    other_rep = RepFactory(team=other_team, user__username="olga")
    accounts, opportunities, activities, feedback = {}, {}, {}, {}
    for key, owner in [("rep", rep), ("teammate", teammate), ("other_rep", other_rep)]:
        account = AccountFactory(name=f"Account of {key}", owner=owner)
        accounts[key] = account
        opportunities[key] = services.opportunity_create(
            owner=owner,
            name=f"Deal of {key}",
            account=account,
            amount=Decimal("1000.00"),
            expected_close_date=dt.date.today() + dt.timedelta(days=20),
        )
        activities[key] = services.activity_create(
            owner=owner, kind="call", planned_date=dt.date.today(), subject=f"Call of {key}", account=account
        )
        feedback[key] = services.feedback_create(account=account, rep=owner, score=4, text=f"Feedback of {key}")
    accounts["shared"] = AccountFactory(name="Shared account", owner=None)
    return World(
        pipeline=pipeline,
        team=team,
        other_team=other_team,
        manager=team.manager,
        rep=rep,
        teammate=teammate,
        other_rep=other_rep,
        admin=AdminFactory(),
        nobody=UserFactory(username="nobody"),
        accounts=accounts,
        opportunities=opportunities,
        activities=activities,
        feedback=feedback,
    )
