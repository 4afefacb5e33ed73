"""A class is graded only in a full sandbox, after a canary; tampering reaches the records."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from course.classroom import workflow
from course.classroom.settings import ClassroomError, CourseSettings
from course.config import Week
from course.nbgrader import gradebook
from tests.classroom.test_workflow import CORRECT, hand_in

TAMPERING = """\
import sys

_probes = sys.modules["course.probes"]
_probes._REGISTRY["call"] = lambda module, **args: 2 * args["args"][0]


def double(x):
    return 2 * x


def greet(name):
    return "hello " + name
"""


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_autograde_refuses_a_machine_without_the_sandbox(
    released: tuple[CourseSettings, Week],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without bubblewrap's protections nothing is graded, and the message names what is
    missing and the two ways on."""
    settings, week = released
    hand_in(settings, week, "ada", CORRECT, dt.datetime.now(dt.UTC))
    monkeypatch.setenv("COURSE_SANDBOX", "local")
    with pytest.raises(ClassroomError, match="--allow-reduced-isolation") as raised:
        workflow.autograde(settings=settings, week=week)
    assert "network" in str(raised.value)
    assert "apt-get install bubblewrap" in str(raised.value)
    assert gradebook.stored_grades(settings.database_url, "tf101", week.stem) == []


def test_reduced_isolation_is_recorded_in_the_export(
    released: tuple[CourseSettings, Week],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With --allow-reduced-isolation the grades are written, and the week's export says
    what was missing for each of them; a fully sandboxed grade says 'full'."""
    settings, week = released
    hand_in(settings, week, "ada", CORRECT, dt.datetime.now(dt.UTC))
    workflow.autograde(settings=settings, week=week)
    hand_in(settings, week, "bob", CORRECT, dt.datetime.now(dt.UTC))
    monkeypatch.setenv("COURSE_SANDBOX", "local")
    outcomes = workflow.autograde(settings=settings, week=week, allow_reduced_isolation=True)
    assert {o.student: o.status for o in outcomes} == {"ada": "unchanged", "bob": "graded"}
    assert "reduced isolation" in next(o for o in outcomes if o.student == "bob").message
    monkeypatch.delenv("COURSE_SANDBOX")
    gradebook.import_students(
        settings.database_url, "tf101", [("ada", "Ada", "Lovelace", "ada@example.org")]
    )
    output = settings.root / "exports"
    workflow.export(settings=settings, weeks=[week], output=output)
    rows = _rows(output / f"{week.stem}.csv")
    assert rows["ada"]["isolation"] == "full"
    assert rows["bob"]["isolation"].startswith("reduced: ")
    assert "network" in rows["bob"]["isolation"]


def test_a_failing_canary_grades_no_one(
    released: tuple[CourseSettings, Week],
) -> None:
    """When the reference solution does not score full marks in the sandbox (here: a
    broken solution file), the batch stops before any submission is graded."""
    settings, week = released
    hand_in(settings, week, "ada", CORRECT, dt.datetime.now(dt.UTC))
    week.solution.write_text(week.solution.read_text().replace("2 * x", "3 * x"))
    with pytest.raises(workflow.CanaryFailed, match="no submission was graded") as raised:
        workflow.autograde(settings=settings, week=week)
    assert "scored 1 / 3" in str(raised.value)
    assert gradebook.stored_grades(settings.database_url, "tf101", week.stem) == []


def test_tampering_is_flagged_in_the_gradebook_and_exports(
    released: tuple[CourseSettings, Week],
) -> None:
    """A submission that forges the worker's probe scores 0 with status integrity; the
    gradebook's comment, the week's CSV, grades.csv and the Gradescope output all say so."""
    settings, week = released
    hand_in(settings, week, "eve", TAMPERING, dt.datetime.now(dt.UTC))
    hand_in(settings, week, "ada", CORRECT, dt.datetime.now(dt.UTC))
    outcomes = {o.student: o for o in workflow.autograde(settings=settings, week=week)}
    assert outcomes["eve"].integrity
    assert "INTEGRITY" in outcomes["eve"].message
    assert outcomes["eve"].score == 0
    assert not outcomes["ada"].integrity
    assert outcomes["ada"].score == 3
    results = workflow.load_results(settings.directory("autograded", week.stem, "eve"))
    assert results is not None
    assert {check.status for check in results.grade_report.checks} == {"integrity"}

    from nbgrader.api import Comment

    with gradebook.opened(settings.database_url, "tf101") as book:
        comments = [c.auto_comment for c in book.db.query(Comment).all() if c.auto_comment]
    assert comments
    assert all("tampered" in comment for comment in comments)

    gradebook.import_students(
        settings.database_url, "tf101", [("ada", "Ada", "Lovelace", "ada@example.org")]
    )
    output = settings.root / "exports"
    workflow.export(settings=settings, weeks=[week], output=output)
    week_rows = _rows(output / f"{week.stem}.csv")
    assert "_REGISTRY" in week_rows["eve"]["integrity"]
    assert week_rows["ada"]["integrity"] == ""
    summary = _rows(output / "grades.csv")
    assert summary["eve"]["integrity_flags"] == week.stem
    assert summary["ada"]["integrity_flags"] == ""
    ada = summary["ada"]  # the roster's name and email; no days late
    assert (ada["first_name"], ada["last_name"], ada["email"]) == (
        "Ada",
        "Lovelace",
        "ada@example.org",
    )
    assert (ada["late_days"], summary["eve"]["first_name"]) == ("0", "")
    gradescope = (output / "gradescope" / week.stem / "eve" / "results.json").read_text()
    assert "Integrity" in gradescope
