"""Correct answers written differently from the references score full marks.

Each file in ``tests/right_answers/`` rewrites part of a week's reference solution the way
another careful student would (a subclassed model, ``Sequential.add``, ``keras.ops`` instead
of ``tf.*``, another width or optimizer inside the stated budget, ...). Its docstring says
which week (``week: ...``) and, in its first line, how it differs; ``CHANGES`` lists ``(old,
new)`` replacements as in ``tests/wrong_answers/``. Every check of the week must pass: a
grader that fails a right answer is wrong, whatever the answer's style.

In the suite each right answer is graded at one seed, a different one for each file of a
week, on the grader files that exercise what it changes (the other files grade the
reference's own code, which ``tests/test_weeks.py`` covers).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from course.config import Layout
from course.grading.runner import grade
from course.mutants import changed_definitions, exercising_files
from tests.conftest import REPO
from tests.test_wrong_answers import changed_solution, declared_week

RIGHT_ANSWERS = sorted((Path(__file__).parent / "right_answers").glob("week*.py"))


def seed_of(path: Path) -> int:
    """A seed of its own for each right answer of a week: 1 for the first, 2, 3, ..."""
    week = declared_week(path)
    siblings = [p for p in RIGHT_ANSWERS if declared_week(p) == week]
    return siblings.index(path) + 1


@pytest.mark.parametrize("week", Layout(REPO).weeks, ids=lambda week: week.stem)
def test_every_week_has_three_right_answers(week: object) -> None:
    """At least three correct variants per week, written differently from the reference."""
    stem = Layout(REPO).week(week.stem).stem  # type: ignore[attr-defined]
    found = [p.name for p in RIGHT_ANSWERS if declared_week(p) == stem]
    assert len(found) >= 3, f"{stem} has {len(found)} right answers: {found}"


@pytest.mark.parametrize("path", RIGHT_ANSWERS, ids=lambda p: p.stem)
def test_right_answer_still_applies_to_its_solution(path: Path) -> None:
    """Each change finds its place in the current solution (fast: nothing is graded)."""
    week = Layout(REPO).week(declared_week(path))
    source = changed_solution(path, week.solution)
    assert source != week.solution.read_text(encoding="utf-8")
    compile(source, path.name, "exec")


@pytest.mark.slow
@pytest.mark.parametrize("path", RIGHT_ANSWERS, ids=lambda p: p.stem)
def test_right_answer_scores_full_marks(path: Path, tmp_path: Path) -> None:
    """Every check that exercises what it changes passes on a correct answer written
    another way."""
    week = Layout(REPO).week(declared_week(path))
    reference = week.solution.read_text(encoding="utf-8")
    source = changed_solution(path, week.solution)
    files = exercising_files(week.graders, reference, changed_definitions(reference, source))
    assert files, f"{path.name} changes nothing a grader file exercises"
    submission = tmp_path / f"{week.stem}.py"
    submission.write_text(source, encoding="utf-8")
    report = grade(
        graders=week.graders,
        submission=submission,
        week=week.label,
        seed=seed_of(path),
        only=files,
    )
    assert not report.has_internal_errors, report.infrastructure_errors
    failing = {check.id: check.message[:300] for check in report.checks if not check.passed}
    assert not failing, failing
    assert report.score == report.max_score
