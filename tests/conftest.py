"""Test-wide setup: fast password hashing, and the browser-test switch."""

from django.conf import settings


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
