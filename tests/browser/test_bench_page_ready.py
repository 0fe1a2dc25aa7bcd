"""bench/annotation_page_ready.py runs with one command and prints its figure (tiny size)."""

import pytest

from tests.test_benches import run_bench

pytestmark = pytest.mark.browser


def test_page_ready_bench_runs_and_prints_its_figure():
    args = ["--runs", "1", "--words", "200", "--spans", "20"]
    output = run_bench("annotation_page_ready.py", args)
    assert "median time to ready over 1 loads" in output, output
