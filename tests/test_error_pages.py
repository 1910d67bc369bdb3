"""Errors are pages of the app: inside the layout, saying why and where to go."""

import pytest
from django.test import override_settings

from tests.factories import RepFactory, UserFactory

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_a_404_is_a_styled_page_with_a_way_back(client):
    client.force_login(UserFactory(username="someone"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "salesperf.css" in content and "This page does not exist" in content
    assert 'href="/"' in content


@override_settings(DEBUG=False)
def test_a_403_says_why_inside_the_layout(client):
    rep = RepFactory()
    client.force_login(rep.user)
    response = client.get("/dashboard/")
    assert response.status_code == 403
    content = response.content.decode()
    assert "salesperf.css" in content and "You may not open this page" in content
    assert "Team pages are for the managers of a team." in content


def test_the_500_page_renders_without_a_request():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html and "salesperf.css" in html
