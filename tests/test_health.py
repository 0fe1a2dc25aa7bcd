"""/health/: ok or not ok for anyone; what went wrong only for staff."""

from unittest import mock

import pytest
from django.db import OperationalError

from tests.factories import make_user

FAILURE = 'connection to server at "db.internal" (10.0.0.5), port 5432 failed'


def failing_database():
    return mock.patch("workbench.views.connection.cursor", side_effect=OperationalError(FAILURE))


@pytest.mark.django_db
def test_an_anonymous_caller_learns_only_that_the_database_is_down(client):
    with failing_database():
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}
    assert b"5432" not in response.content


@pytest.mark.django_db
def test_staff_see_the_database_error(client):
    client.force_login(make_user("ops", is_staff=True))
    with mock.patch("workbench.views._database_error", return_value=FAILURE):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == FAILURE


@pytest.mark.django_db
def test_a_logged_in_non_staff_user_sees_no_details(client):
    client.force_login(make_user("amal"))
    with mock.patch("workbench.views._database_error", return_value=FAILURE):
        response = client.get("/health/")
    assert response.json() == {"status": "error"}
