import pytest

from tests.coaching.world import make_coaching_world


@pytest.fixture
def cworld(db):
    return make_coaching_world()
