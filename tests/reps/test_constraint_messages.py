"""Forms (the admin's included) name a broken rule in words, never by its constraint's name."""

import pytest
from django.core.exceptions import ValidationError

from reps.models import Team
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_a_team_that_is_its_own_parent_gets_a_human_message():
    team = TeamFactory()
    team.parent = team
    with pytest.raises(ValidationError) as raised:
        team.validate_constraints()
    text = " ".join(raised.value.messages)
    assert "cannot be its own parent" in text and "team_not_own_parent" not in text


def test_every_named_rule_of_reps_has_a_message():
    from django.apps import apps

    for model in apps.get_app_config("reps").get_models():
        for constraint in model._meta.constraints:
            if getattr(constraint, "fields", None) and not getattr(constraint, "condition", None):
                continue  # a plain unique constraint: Django says "… with this … already exists."
            if constraint.name.endswith("_valid"):
                continue  # a choice field's own check: a form rejects a bad choice before it
            assert constraint.violation_error_message != constraint.default_violation_error_message, constraint.name
    assert Team  # imported for the models' registry
