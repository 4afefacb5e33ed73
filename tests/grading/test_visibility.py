"""Hidden and visible checks: every grader check says which it is, a check judged against a
threshold is hidden, and feedback and exports treat hidden checks as the marker promises."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from course.classroom.settings import CourseSettings, LatePolicy
from course.classroom.workflow import reveals_hidden_checks
from course.grading.results import CheckResult, GradeReport
from course.records import GradedSubmission
from course.reports.feedback import HIDDEN_MESSAGE, render_html

GRADERS = Path(__file__).resolve().parents[2] / "graders"
#: course.testing's helpers whose call means the check compares a measured performance with a
#: threshold the grader keeps.
THRESHOLD_HELPERS = {"check_accuracy", "check_binary_accuracy", "measure"}


def _marker_value(decorator: ast.expr) -> str | None:
    """``"hidden"`` for ``pytest.mark.visibility("hidden")``; None for any other expression."""
    if (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "visibility"
        and decorator.args
        and isinstance(decorator.args[0], ast.Constant)
    ):
        return str(decorator.args[0].value)
    return None


def _checks(path: Path) -> list[tuple[str, str | None, set[str]]]:
    """Each check of a grader file: its name, visibility and the functions it calls."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_level = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytestmark" for target in node.targets
        ):
            module_level = _marker_value(node.value)
    checks = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            own = [_marker_value(d) for d in node.decorator_list]
            visibility = next((v for v in own if v is not None), module_level)
            calls = {
                call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")
                for call in ast.walk(node)
                if isinstance(call, ast.Call)
            }
            checks.append((node.name, visibility, calls))
    return checks


WEEKS = sorted(path for path in GRADERS.iterdir() if path.is_dir() and path.name.startswith("week"))


@pytest.mark.parametrize("week", WEEKS, ids=lambda path: path.name)
def test_every_check_says_whether_it_is_hidden(week: Path) -> None:
    """Each check is marked visible or hidden; a week has public checks a student can run."""
    found = {
        f"{path.name}::{name}": visibility
        for path in sorted(week.glob("test_*.py"))
        for name, visibility, _ in _checks(path)
    }
    unmarked = sorted(name for name, visibility in found.items() if visibility is None)
    assert not unmarked, f"checks with no visibility marker: {unmarked}"
    wrong = {name: v for name, v in found.items() if v not in ("visible", "hidden")}
    assert not wrong, f"graders use visibility 'visible' or 'hidden' only: {wrong}"
    assert "visible" in found.values(), f"{week.name} has no visible check"


@pytest.mark.parametrize("week", WEEKS, ids=lambda path: path.name)
def test_checks_against_a_threshold_are_hidden(week: Path) -> None:
    """A check that compares a trained model's measured performance with a threshold keeps
    its threshold and data to the grader: it is hidden."""
    visible = [
        f"{path.name}::{name}"
        for path in sorted(week.glob("test_*.py"))
        for name, visibility, calls in _checks(path)
        if visibility == "visible" and calls & THRESHOLD_HELPERS
    ]
    assert not visible, f"visible checks that judge a threshold: {visible}"


def _graded(*checks: CheckResult) -> GradedSubmission:
    report = GradeReport(week="week01", submission="week01.py", checks=checks)
    return GradedSubmission(
        student="ada",
        week="week01",
        submitted_at=None,
        source="week01.py",
        submission_sha256="0" * 64,
        grader_version="1",
        report=report.to_dict(),
    )


SHAPES = CheckResult(
    id="test_1.py::test_shape",
    name="the output has shape (2, 3)",
    status="failed",
    points=0.0,
    max_points=1.0,
    message="the output has shape (3, 2)",
)
ACCURACY = CheckResult(
    id="test_2.py::test_accuracy",
    name="the model reaches 0.85 accuracy",
    status="failed",
    points=0.0,
    max_points=4.0,
    message="accuracy 0.8120 on the test images, below 0.85",
    visibility="hidden",
)


def test_feedback_shows_hidden_messages_only_when_revealed() -> None:
    """Before the due date a hidden check shows its points, not its message; after, both."""
    before = render_html(_graded(SHAPES, ACCURACY), title="Tensors")
    assert "the output has shape (3, 2)" in before
    assert "0.8120" not in before
    assert HIDDEN_MESSAGE in before
    assert "0 / 4" in before
    after = render_html(_graded(SHAPES, ACCURACY), title="Tensors", reveal_hidden=True)
    assert "0.8120" in after
    assert HIDDEN_MESSAGE not in after


def test_hidden_checks_are_revealed_after_each_students_due_date(tmp_path: Path) -> None:
    """The due date is the student's own: an extension keeps hidden messages back longer."""
    due = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    settings = CourseSettings(
        root=tmp_path,
        course_id="course",
        database_url="sqlite:///gradebook.db",
        exchange=tmp_path / "exchange",
        policy=LatePolicy(deadlines={"week01": due}, extensions={"bo": {"week01": 2}}),
    )
    an_hour_after = due + dt.timedelta(hours=1)
    assert not reveals_hidden_checks(settings, "week01", "ada", due - dt.timedelta(minutes=1))
    assert reveals_hidden_checks(settings, "week01", "ada", an_hour_after)
    assert not reveals_hidden_checks(settings, "week01", "bo", an_hour_after)
    assert reveals_hidden_checks(settings, "week02", "ada", an_hour_after)  # no deadline


def test_gradescope_shows_hidden_checks_after_the_due_date() -> None:
    """Gradescope's own "hidden" would keep a check from the student for good."""
    tests = GradeReport(
        week="week01", submission="week01.py", checks=(SHAPES, ACCURACY)
    ).to_gradescope()["tests"]
    assert [test["visibility"] for test in tests] == ["visible", "after_due_date"]
