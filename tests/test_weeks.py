"""Every week of the real course: stub and solution agree, the graders judge them right.

The solution runs are marked ``slow`` (they train real models); CI runs them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from course.classroom.generate import expected_stub
from course.config import Layout, Week
from course.grading.declared import declared_checks
from course.grading.runner import grade
from tests.conftest import REPO

WEEKS = Layout(REPO).weeks
_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION\n", re.M | re.S
)


def _ids(week: Week) -> str:
    return week.stem


def public_api(path: Path) -> dict[str, str]:
    """Top-level public functions and classes (with their public methods) and signatures."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    api: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            api[node.name] = _signature(node)
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            api[node.name] = "class(" + ", ".join(ast.unparse(b) for b in node.bases) + ")"
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and (
                    not item.name.startswith("_") or item.name == "__init__"
                ):
                    api[f"{node.name}.{item.name}"] = _signature(item)
    return api


def _signature(node: ast.FunctionDef) -> str:
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"({ast.unparse(node.args)}){returns}"


def test_the_course_has_weeks() -> None:
    """The checkout ships its weeks (guards the parametrised tests below)."""
    assert [week.number for week in WEEKS][:3] == [1, 2, 3]


@pytest.mark.parametrize("week", WEEKS, ids=_ids)
def test_stub_and_solution_share_public_names_and_signatures(week: Week) -> None:
    """Students implement exactly the names and signatures the graders call."""
    assert public_api(week.assignment) == public_api(week.solution)


@pytest.mark.parametrize("week", WEEKS, ids=_ids)
def test_stub_is_generated_from_the_solution(week: Week) -> None:
    """The stub is what nbgrader's solution-clearing makes of the solution, nothing else."""
    solution = week.solution.read_text(encoding="utf-8")
    assert "### BEGIN SOLUTION" in solution
    assert solution.startswith("# %%"), "solutions are jupytext percent-format modules"
    assert week.assignment.read_text(encoding="utf-8") == expected_stub(week), (
        f"{week.assignment} is out of date with its solution: run 'course generate'"
    )


def test_course_generate_check_passes() -> None:
    """`course generate --check` (what instructors and CI run) finds no stale stub."""
    from click.testing import CliRunner

    from course.cli import main

    result = CliRunner().invoke(main, ["generate", "--check"], env={"COURSE_ROOT": str(REPO)})
    assert result.exit_code == 0, result.output
    assert result.output.count("up to date") == len(WEEKS)


@pytest.mark.parametrize("week", WEEKS, ids=_ids)
def test_every_check_carries_points(week: Week) -> None:
    """Each grader test declares its points; the week is worth something."""
    for path in week.graders.glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                decorators = [ast.unparse(d) for d in node.decorator_list]
                assert any("mark.points" in d for d in decorators), f"{path.name}::{node.name}"
    assert week.max_points > 0


@pytest.mark.parametrize("week", WEEKS, ids=_ids)
def test_graders_never_import_the_submission(week: Week) -> None:
    """Graders reach the submission only through the worker, never by import."""
    for path in week.graders.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(
            r"^\s*(from|import)\s+(assignments|solutions|submission)\b", text, re.M
        ), path.name


@pytest.mark.parametrize("week", WEEKS, ids=_ids)
def test_stub_scores_zero_with_not_implemented_only(week: Week) -> None:
    """The untouched stub earns 0 and every check says NotImplementedError."""
    report = grade(graders=week.graders, submission=week.assignment, week=week.label)
    assert not report.has_internal_errors, report.infrastructure_errors
    assert report.score == 0
    # The checks read from the grader files without running them are the ones pytest runs:
    # what a file that does not parse is judged on (course.grading.declared).
    declared = declared_checks(week.graders)
    assert declared is not None
    assert [(c.id, c.name, c.max_points, c.visibility) for c in report.checks] == [
        (d.id, d.name, d.max_points, d.visibility) for d in declared
    ]
    for check in report.checks:
        assert check.status == "error", (check.id, check.status)
        assert "NotImplementedError" in check.message, (check.id, check.message)


@pytest.mark.slow
@pytest.mark.parametrize("week", WEEKS, ids=_ids)
def test_solution_scores_full_marks(week: Week) -> None:
    """The reference solution passes every check of its week."""
    report = grade(graders=week.graders, submission=week.solution, week=week.label)
    failures = [(c.id, c.status, c.message) for c in report.checks if not c.passed]
    assert not failures
    assert not report.has_internal_errors, report.infrastructure_errors
    assert report.score == report.max_score == week.max_points
