"""Shared by the week 13 graders: the worker's replies, type-checked before a grader trusts
them, and the grader's strategy."""

from __future__ import annotations

from typing import Any

from course.grading.reports import expect
from course.grading.submission import Submission

#: The replicas of the grader's MirroredStrategy (two logical CPUs: ``worker.toml``).
REPLICAS = 2


def probe(submission: Submission, name: str, **arguments: Any) -> dict[str, Any]:
    """The worker's reply to the probe ``name``, if it is a dict."""
    reply: dict[str, Any] = expect(
        submission.probe(name, **arguments), dict, what=f"the reply to the probe {name}"
    )
    return reply


def strings(value: object, *, what: str) -> list[str]:
    """``value`` if it is a list of strings."""
    return [expect(item, str, what=what) for item in expect(value, list, what=what)]
