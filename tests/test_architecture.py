"""The import graph keeps the architecture: pyproject's [tool.importlinter] contracts hold.

Pure modules (annotate.lib, corpus.lib) import no Django and no app code; corpus never
imports annotate; pages and the API never import each other; queries, actions, tasks and
commands import no pages, API or URLs. `lint-imports` (import-linter) checks every contract,
following indirect imports too, and its report names each import chain that breaks one.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import annotate
import corpus

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {contract["name"]: contract for contract in config["tool"]["importlinter"]["contracts"]}


def test_every_import_contract_is_kept():
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"lint-imports failed:\n{result.stdout}{result.stderr}"


def test_the_pure_contract_forbids_every_app_module_but_lib():
    # import-linter cannot say "annotate but not annotate.lib", so the contract lists the
    # modules; a module added to annotate or corpus must be added there too.
    forbidden = set(
        contracts()["Pure modules (annotate.lib, corpus.lib) import no Django, DRF, or app code"][
            "forbidden_modules"
        ]
    )
    app_modules = {
        f"{package.__name__}.{module.name}"
        for package in (annotate, corpus)
        for module in pkgutil.iter_modules(package.__path__)
        if module.name != "lib"
    }
    assert app_modules - forbidden == set()
    assert {"django", "rest_framework", "drf_spectacular", "workbench"} <= forbidden


def test_corpus_names_the_manager_role_as_annotate_does():
    # corpus.access may not import annotate.models (see its docstring), so it spells the role.
    from annotate.models import Role
    from corpus.access import MANAGER_ROLE

    assert MANAGER_ROLE == Role.MANAGER
