"""bench/recommenders.py runs with one command and prints its figures (tiny size)."""

import pytest

from tests.test_benches import run_bench

pytestmark = pytest.mark.browser


def test_recommender_bench_runs_and_prints_its_figures():
    args = ["--articles", "12", "--words", "120", "--page", "--runs", "1"]
    args += ["--page-words", "300", "--page-spans", "20", "--suggestions", "30"]
    output = run_bench("recommenders.py", args)
    for text in ("gazetteer: trained in", "crf: trained in", "prediction per article median"):
        assert text in output, output
    assert "MILITARY_GROUP  F1" in output, output
    assert "page ready with" in output and "suggestions drawn at" in output, output
