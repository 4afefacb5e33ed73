"""Shared by the week 11 graders: this grading's train-step problem and the tumour data.

The problem, how it is drawn and the grader's SGD step are in ``reference.py``; the data
of part 6 in ``tumours.py``.
"""

from __future__ import annotations

import pytest

from course.grading.submission import Submission

from .reference import Reference, draw_problem
from .tumours import TumourSplit, split_tumours


@pytest.fixture(scope="session")
def reference(submission: Submission) -> Reference:
    """This grading's model and SGD step (``reference.train(...)``, ``check_update``...)."""
    return Reference(draw_problem(submission))


@pytest.fixture(scope="session")
def tumours() -> TumourSplit:
    """The Wisconsin breast-cancer data, 1 = malignant, split at random (seeded)."""
    return split_tumours()
