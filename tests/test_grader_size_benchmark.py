"""benchmarks/grader_size.py, the figures behind "graders should shrink", counts what it says."""

from __future__ import annotations

from tests.conftest import load_benchmark

MODULE = '''"""A grader.

Its measurements.
"""

import pytest


# a comment
@pytest.mark.points(1)
def test_shape(report) -> None:
    """the shape is right"""
    if report.shape != (1,):
        raise fail("the shape", expected=(1,), received=report.shape)
'''


def test_code_lines_leave_out_docstrings_comments_and_blanks() -> None:
    counts = load_benchmark("grader_size").measure(MODULE)
    assert counts["lines"] == 14
    assert counts["docstring"] == 5
    assert counts["code"] == 5
    assert counts["checks"] == 1
    assert counts["raise_fail"] == 1


def test_the_working_tree_is_counted_week_by_week() -> None:
    script = load_benchmark("grader_size")
    weeks = script.by_week(None)
    assert "week01_tensors" in weeks
    assert all(counts["checks"] > 0 for week, counts in weeks.items() if week.startswith("week"))
    assert "total" in script.table(None, weeks)
