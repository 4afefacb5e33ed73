"""benchmarks/sandbox_cost.py, the measurement of what the sandbox adds, still runs."""

from __future__ import annotations

from tests.conftest import load_benchmark


def test_worker_start_is_measured_with_and_without_the_sandbox() -> None:
    """Both launchers start a worker that answers; the figures are positive seconds."""
    row = load_benchmark("sandbox_cost").measure_starts(2)
    assert row["runs"] == 2
    assert 0 < row["local_s"] < 30
    assert 0 < row["sandbox_s"] < 30
