"""Test-wide setup: fast password hashing, an empty cache, and the browser-test switch."""

import pytest
from django.conf import settings
from django.core.cache import cache


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_login_counters():
    """Login throttling counts in the cache: every test starts with none."""
    cache.clear()
    yield
