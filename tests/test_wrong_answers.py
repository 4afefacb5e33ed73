"""Plausible wrong answers fail exactly the checks that name their mistakes.

Each file in ``tests/wrong_answers/`` describes one mistake as changes to a week's reference
solution: its docstring says which week (``week: ...``) and which checks must fail (one
``fails: ID`` line each, or several ids separated by commas), and ``CHANGES`` lists
``(old, new)`` text replacements, each ``old`` occurring exactly once in the solution (its
``### BEGIN/END SOLUTION`` marker lines removed). Every other check in the grader files those
ids belong to must pass, so a grader that fails too much is caught as well as one that fails
too little. Only those grader files run, which keeps the slow training checks of other files
out of mistakes that do not concern them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from course.config import Layout
from course.grading.runner import grade
from tests.conftest import REPO

WRONG_ANSWERS = sorted((Path(__file__).parent / "wrong_answers").glob("week*.py"))
_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION\n", re.M)


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def declared_week(path: Path) -> str:
    """The week an answer file's docstring names (``week: ...``), wrong or right."""
    week = re.search(r"^week:\s*(\S+)", _docstring(path), re.M)
    assert week, f"{path.name} must declare 'week:' in its docstring"
    return week.group(1)


def expectations(path: Path) -> tuple[str, set[str]]:
    """The week and the set of check ids a wrong answer declares it fails."""
    fails = {
        item.strip()
        for line in re.findall(r"^fails:\s*(.+)$", _docstring(path), re.M)
        for item in line.split(",")
    }
    week = declared_week(path)
    assert fails, f"{path.name} must declare the checks it fails with 'fails:' lines"
    return week, fails


def changes(path: Path) -> list[tuple[str, str]]:
    """The ``CHANGES`` list of a wrong answer, read as a literal (nothing is imported)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["CHANGES"]:
            value = ast.literal_eval(node.value)
            assert value, f"{path.name} changes nothing"
            return [(str(old), str(new)) for old, new in value]
    raise AssertionError(f"{path.name} has no CHANGES list")


def changed_solution(path: Path, solution: Path) -> str:
    """The reference solution with an answer file's changes applied (the wrong answers here,
    the right answers of ``tests/right_answers/``)."""
    source = _MARKER.sub("", solution.read_text(encoding="utf-8"))
    for old, new in changes(path):
        assert source.count(old) == 1, f"{path.name}: {old!r} must occur once in {solution.name}"
        source = source.replace(old, new)
    return source


@pytest.mark.parametrize("path", WRONG_ANSWERS, ids=lambda p: p.stem)
def test_wrong_answer_still_applies_to_its_solution(path: Path) -> None:
    """Each change finds its place in the current solution (fast: nothing is graded)."""
    stem, _ = expectations(path)
    week = Layout(REPO).week(stem)
    assert changed_solution(path, week.solution) != week.solution.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("path", WRONG_ANSWERS, ids=lambda p: p.stem)
def test_wrong_answer_fails_the_check_that_names_it(path: Path, tmp_path: Path) -> None:
    """Only the declared checks fail, each with a student-facing message."""
    stem, expected = expectations(path)
    week = Layout(REPO).week(stem)
    submission = tmp_path / f"{week.stem}.py"
    submission.write_text(changed_solution(path, week.solution), encoding="utf-8")
    files = sorted({check_id.split("::")[0] for check_id in expected})
    report = grade(graders=week.graders, submission=submission, week=week.label, only=files)
    assert not report.has_internal_errors, report.infrastructure_errors
    unknown = expected - {check.id for check in report.checks}
    assert not unknown, f"{path.name} names checks that do not exist: {unknown}"
    failing = {check.id: check for check in report.checks if not check.passed}
    assert set(failing) == expected, {k: v.message[:200] for k, v in failing.items()}
    for check in failing.values():
        assert check.message, check.id
