"""The records of a graded submission that the classroom, nbgrader and reports pass around.

* :class:`GradedSubmission`: one submission as ``course autograde`` keeps it (its
  ``results.json``), read by the feedback pages and the exports;
* :class:`StoredGrade` and :class:`Check`: one submission and one check as nbgrader's
  gradebook keeps them, read by the CSV exports.

Plain data over :mod:`course.grading.results`: nothing here imports the classroom, nbgrader
or the reports, so each of them can import these records without importing the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from course.grading.results import GradeReport


@dataclass
class GradedSubmission:
    """``autograded/<student>/<week>/results.json``: the report and how it was made."""

    student: str
    week: str
    submitted_at: str | None
    source: str
    submission_sha256: str
    grader_version: str
    report: dict[str, Any]
    penalty: float = 0.0
    days_late: int = 0
    refused: str = ""
    #: The seed the checks drew their inputs from (``None``: refused, never graded).
    seed: int | None = None
    graded_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())

    @property
    def grade_report(self) -> GradeReport:
        return GradeReport.from_dict(self.report)


@dataclass(frozen=True)
class Check:
    """One check as the gradebook knows it."""

    id: str
    max_points: float


@dataclass(frozen=True)
class StoredGrade:
    """One student's week as the gradebook has it."""

    student: str
    week: str
    timestamp: dt.datetime | None
    scores: dict[str, float]
    raw_score: float
    penalty: float
    max_score: float

    @property
    def score(self) -> float:
        return round(max(0.0, self.raw_score - self.penalty), 6)


@dataclass(frozen=True)
class Adjustments:
    """What an instructor changed by hand in nbgrader's formgrader on one graded submission:
    read from the gradebook, applied on top of the autograder's report."""

    #: Check id -> the points given by hand (extra credit included), where they were changed.
    scores: dict[str, float] = field(default_factory=dict)
    #: Check id -> the instructor's comment on it; ``""``: on the submission as a whole.
    comments: dict[str, str] = field(default_factory=dict)
    #: The late penalty as the instructor set it (0: waived); ``None``: as computed.
    penalty: float | None = None

    def __bool__(self) -> bool:
        return bool(self.scores or self.comments) or self.penalty is not None
