"""Shared by the week 8 graders: the grader's series, drawn at each grading.

The recipe, its ranges and the grader's copy of every exercise are in ``reference.py``.
"""

from __future__ import annotations

import pytest

from course.grading.submission import Submission
from course.testing import fresh_rng

from .reference import GraderSeries, draw_series


@pytest.fixture(scope="session")
def grader_series(submission: Submission) -> GraderSeries:
    """The grader's generated series for this grading (``.values``, ``.split_time``...)."""
    return draw_series(fresh_rng(submission, "grader series"))
