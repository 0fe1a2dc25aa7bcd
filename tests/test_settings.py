import pytest
from django.core.exceptions import ImproperlyConfigured

from workbench.settings import env_bool, env_int, env_list


def test_env_bool_reads_common_spellings(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", True) is True


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG must be a boolean"):
        env_bool("X_FLAG", False)


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("X_NUM", "12")
    assert env_int("X_NUM", 1) == 12
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_NUM must be an integer"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


@pytest.mark.django_db
def test_health_reports_database_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_script(client):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_arabic_interface_is_right_to_left(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ar")
    assert b'lang="ar" dir="rtl"' in response.content
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'lang="en" dir="ltr"' in response.content


def test_a_bad_model_server_network_stops_the_app_with_its_name():
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "EXTERNAL_MODEL_NETWORKS": "10.0.0.0/8,intranet"}
    result = subprocess.run(
        [sys.executable, "-c", "import workbench.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "EXTERNAL_MODEL_NETWORKS: 'intranet' is not a network" in result.stderr
