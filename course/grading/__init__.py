"""Grading: what a check is, our pytest plugin, and the runner that drives a grading run."""

from course.grading.errors import CheckFailed, GraderError, SubmissionError, SubmissionTimeout
from course.grading.results import CheckResult, GradeReport

__all__ = [
    "CheckFailed",
    "CheckResult",
    "GradeReport",
    "GraderError",
    "SubmissionError",
    "SubmissionTimeout",
]
