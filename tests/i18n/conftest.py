import pytest

from tests.i18n import catalogues


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    catalogues.compile_all()
