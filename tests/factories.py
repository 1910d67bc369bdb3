"""Test data. Objects with history (opportunities) are made through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model

from reps import services
from reps.models import Account, Pipeline, Product, Rep, StageKind, Team, TeamMembership

User = get_user_model()

PASSWORD = "test-pass-123"

STANDARD_STAGES: list[dict[str, Any]] = [
    {"name": "Prospecting", "probability": 10, "kind": StageKind.OPEN},
    {"name": "Discovery", "probability": 20, "kind": StageKind.OPEN},
    {"name": "Proposal", "probability": 50, "kind": StageKind.OPEN, "is_offer": True},
    {"name": "Negotiation", "probability": 75, "kind": StageKind.OPEN},
    {"name": "Won", "probability": 100, "kind": StageKind.WON},
    {"name": "Lost", "probability": 0, "kind": StageKind.LOST},
]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    manager = factory.SubFactory(UserFactory, username=factory.Sequence(lambda n: f"manager{n}"))
    parent = None


class RepFactory(factory.django.DjangoModelFactory):
    """A rep with an open membership of their team since their start date."""

    class Meta:
        model = Rep
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, username=factory.Sequence(lambda n: f"rep{n}"))
    team = factory.SubFactory(TeamFactory)
    start_date = dt.date(2024, 1, 1)

    @factory.post_generation
    def membership(obj, create, extracted, **kwargs):
        if create and obj.team_id:
            TeamMembership.objects.create(rep=obj, team=obj.team, start_date=obj.start_date)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Faker("company")
    owner = None


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    list_price = Decimal("1000.00")


def make_pipeline(name: str = "Default", *, is_default: bool = True) -> Pipeline:
    """The standard pipeline: Prospecting, Discovery, Proposal (offer), Negotiation, Won, Lost."""
    existing = Pipeline.objects.filter(name=name).first()
    if existing:
        return existing
    return services.pipeline_create(name=name, is_default=is_default, stages=[dict(stage) for stage in STANDARD_STAGES])


def stage(pipeline: Pipeline, name: str):  # type: ignore[no-untyped-def]
    return pipeline.stages.get(name=name)
