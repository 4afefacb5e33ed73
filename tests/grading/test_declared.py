"""A file that does not parse is judged without a grading process: at once, on the checks
the grader files declare, with the line to fix."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from course.config import Layout
from course.grading.declared import declared_checks, syntax_error
from course.grading.runner import grade

BROKEN = "def double(x):\n    return 2 * x\n\ndef greet(name)\n    return 'hello ' + name\n"


def _grade(course: Layout, submission: Path, **options: Any) -> Any:
    week = course.weeks[0]
    return grade(graders=week.graders, submission=submission, week=week.label, **options)


def test_a_file_that_does_not_parse_is_judged_at_once(toy_course: Layout, tmp_path: Path) -> None:
    """Every check is an error naming the line, the same checks a full grading reports,
    in well under a second, and the progress events still arrive in order."""
    submission = tmp_path / "week01_toy.py"
    submission.write_text(BROKEN)
    events: list[dict[str, Any]] = []
    begin = time.monotonic()
    report = _grade(toy_course, submission, on_event=events.append)
    assert time.monotonic() - begin < 1.0
    full = _grade(toy_course, toy_course.weeks[0].solution)
    assert [(c.id, c.name, c.max_points) for c in report.checks] == [
        (c.id, c.name, c.max_points) for c in full.checks
    ]
    assert report.score == 0
    for check in report.checks:
        assert check.status == "error"
        assert "syntax error" in check.message
        assert "line 4: def greet(name)" in check.message
    assert "does not parse" in report.launcher
    kinds = [event["event"] for event in events]
    assert kinds == ["collected", "started", "check", "started", "check", "finished"]


def test_null_bytes_are_a_reason_too(tmp_path: Path) -> None:
    path = tmp_path / "week01_toy.py"
    path.write_bytes(b"x = 1\x00\n")
    problem = syntax_error(path)
    assert problem is not None
    assert "null bytes" in problem


def test_graders_read_inexactly_fall_back_to_a_full_grading(
    toy_course: Layout, tmp_path: Path
) -> None:
    """A parametrized check cannot be listed without pytest: the grading process runs, and
    the file that does not parse still scores 0 with the same message."""
    graders = toy_course.weeks[0].graders
    (graders / "test_cases.py").write_text(
        "import pytest\n\npytestmark = pytest.mark.visibility('visible')\n\n\n"
        "@pytest.mark.points(1)\n@pytest.mark.parametrize('x', [1, 2])\n"
        "def test_cases(submission, x):\n    '''double doubles'''\n"
        "    assert submission.call('double', x) == 2 * x\n"
    )
    assert declared_checks(graders) is None
    submission = tmp_path / "week01_toy.py"
    submission.write_text(BROKEN)
    report = _grade(toy_course, submission)
    assert "does not parse" not in report.launcher
    assert len(report.checks) == 4
    assert report.score == 0
    assert all("syntax error" in check.message for check in report.checks), report.checks
