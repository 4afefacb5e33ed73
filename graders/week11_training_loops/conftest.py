"""Shared by the week 11 graders: this grading's train-step problem (parts 3 and 4).

The problem, how it is drawn and the grader's SGD step are in ``reference.py``.
"""

from __future__ import annotations

import pytest

from course.grading.submission import Submission

from .reference import Reference, draw_problem


@pytest.fixture(scope="session")
def reference(submission: Submission) -> Reference:
    """This grading's model and SGD step (``reference.train(...)``, ``check_update``...)."""
    return draw_problem(submission)
