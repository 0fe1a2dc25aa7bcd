"""Test-wide setup: fast password hashing, an empty cache, and data shared by the tests
of a module."""

import copy

import pytest
from django.conf import settings
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

# Property tests check answers, not speed (benchmarks live in bench/): no per-example deadline,
# which a loaded CI machine would otherwise turn into failures.
hypothesis_settings.register_profile("workbench", deadline=None)
hypothesis_settings.load_profile("workbench")


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_login_counters():
    """Login throttling counts in the cache: every test starts with none."""
    cache.clear()
    yield


# ---- shared test data ----
# A module-scoped fixture that writes to the database asks for `shared_db`: the data lives
# in one transaction around the module, each test runs in a savepoint inside it (pytest-django
# wraps non-transactional tests in TestCase atomics), and the module's end rolls it back.
# Like TestCase.setUpTestData, and like it, not for modules with transaction=True tests.


@pytest.fixture(scope="module")
def shared_db(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def module_team(shared_db):
    from tests.base import make_team

    return make_team()


@pytest.fixture
def team(module_team, db):
    """The named users of tests/base.py, built once per module; each test gets its own copies
    (as setUpTestData's do), so changes to one test's objects never reach the next."""
    return copy.deepcopy(module_team)
