"""The code type-checks: mypy with pyproject's [tool.mypy] (its `files` list) passes: the pure
modules strictly, the edge modules against django-stubs and djangorestframework-stubs.

mypy keeps its incremental cache in .mypy_cache/ at the repository root (the one the `mypy`
command uses too): a cold run takes a few seconds, a warm one about a second.
"""

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def test_the_pure_and_edge_modules_type_check(monkeypatch):
    # The config's `files` are relative to the repository root.
    monkeypatch.chdir(ROOT)
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml")])
    assert status == 0, f"mypy failed (exit {status}):\n{stdout}{stderr}"
    assert "Success: no issues found" in stdout, stdout
