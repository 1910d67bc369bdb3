import pytest
from rest_framework.test import APIClient

from tests.api.world import make_world


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def api() -> APIClient:
    return APIClient()
