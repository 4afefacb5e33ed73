"""formgrader on the course's grades, tested through nbgrader itself: its Gradebook API,
``nbgrader autograde`` and ``nbgrader generate_feedback`` run as commands in a course
directory made by ``course init``, and formgrader's REST handlers on a real Jupyter
server. The toy week grades in about a second, without TensorFlow."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from course.classroom import workflow
from course.classroom.notebooks import module_to_notebook
from course.classroom.settings import ClassroomError, CourseSettings
from course.config import Layout, Week
from course.nbgrader import gradebook
from course.nbgrader.formgrader import graded_notebook
from course.nbgrader.timestamps import write_timestamp
from course.records import Adjustments, Check, GradedSubmission
from course.reports.feedback import read_summary, render_html
from tests.classroom.conftest import (  # noqa: F401 (fixtures)
    initialized,
    marked_course,
    released,
)
from tests.conftest import running_jupyter

CORRECT = """\
def double(x):
    return 2 * x


def greet(name):
    return "hello " + name
"""
HALF = CORRECT.replace('"hello " + name', '"bye " + name')
DUE = dt.datetime(2026, 12, 7, 23, 59, tzinfo=dt.UTC)
CHECKS = [Check("test_toy.py::test_double", 2.0), Check("test_toy.py::test_greet", 1.0)]


def hand_in(settings: CourseSettings, week: Week, name: str, text: str, when: dt.datetime) -> None:
    """A submission as ``course submit`` leaves it: the module and its paired notebook."""
    folder = settings.root / "submitted" / name / week.stem
    folder.mkdir(parents=True)
    (folder / f"{week.stem}.py").write_text(text)
    (folder / f"{week.stem}.ipynb").write_text(module_to_notebook(text))
    write_timestamp(folder, when)


def late_course(settings: CourseSettings, week: Week) -> CourseSettings:
    """The course with a deadline on the week: bob's submission is a day and more late."""
    path = settings.settings_file
    deadline = f'{week.stem} = "{DUE.isoformat()}"\n'
    path.write_text(path.read_text().replace("[deadlines]\n", "[deadlines]\n" + deadline, 1))
    hand_in(settings, week, "ada", CORRECT, DUE - dt.timedelta(hours=1))
    hand_in(settings, week, "bob", HALF, DUE + dt.timedelta(days=1, hours=2))
    return CourseSettings.load(settings.root)


def nbgrader(settings: CourseSettings, week: Layout, *argv: str) -> str:
    """Run ``nbgrader ARGV`` in the course directory (its nbgrader_config.py, the toy course
    as COURSE_ROOT); its log."""
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *argv],
        cwd=settings.root,
        env={**os.environ, "COURSE_ROOT": str(week.root)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def gradebook_rows(settings: CourseSettings, week: str) -> dict[str, tuple[float, dict[str, Any]]]:
    """What nbgrader's Gradebook holds per student: the submission's total (formgrader's
    score column) and each cell's automatic score."""
    from nbgrader.api import Gradebook

    with Gradebook(settings.database_url, settings.course_id) as book:
        return {
            submission.student.id: (
                round(float(submission.score), 6),
                {
                    grade.name: grade.auto_score
                    for notebook in submission.notebooks
                    for grade in notebook.grades
                },
            )
            for submission in book.find_assignment(week).submissions
        }


def test_cell_names_are_css_ids_that_turn_back_into_check_ids() -> None:
    """A grade cell's name holds no character that formgrader's ``$("#" + name)`` trips on,
    and gives back the check id; a check id with a reserved letter is refused by name."""
    for check in ("test_1_a.py::test_b", "graders/test_x.py::TestY::test_z[relu-3, 0.5]"):
        name = gradebook.cell_name(check)
        assert all(c.isalnum() or c in "_-" or ord(c) > 0xA0 for c in name), name
        assert gradebook.check_id(name) == check
    with pytest.raises(ClassroomError, match="reserves"):
        gradebook.cell_name("test_a.py::test_\u2024")


def test_penalty_and_manual_changes_in_nbgraders_gradebook(
    released: tuple[CourseSettings, Week],  # noqa: F811 (a fixture)
) -> None:
    """nbgrader's total (formgrader's score) is after the late penalty; an instructor's score,
    extra credit, comments and waived penalty stay when the submission is recorded again,
    are read back by stored_grades and manual_adjustments, and a score whose automatic
    score changed under it is flagged for review."""
    from nbgrader.api import Gradebook

    settings, week = released
    url, course = settings.database_url, settings.course_id
    gradebook.declare_week(url, course, week.stem, CHECKS, DUE)

    def record(double: float) -> None:
        gradebook.record(
            url,
            course,
            week=week.stem,
            student="bob",
            timestamp=DUE + dt.timedelta(days=2),
            scores={"test_toy.py::test_double": double, "test_toy.py::test_greet": 1.0},
            penalty=0.6,
        )

    record(2.0)
    assert gradebook_rows(settings, week.stem)["bob"][0] == pytest.approx(2.4)
    with Gradebook(url, course) as book:
        cell = gradebook.cell_name("test_toy.py::test_greet")
        greet = book.find_grade(cell, week.stem, week.stem, "bob")
        greet.manual_score, greet.extra_credit = 0.5, 0.25
        book.find_grade(gradebook.LATE_PENALTY, week.stem, week.stem, "bob").manual_score = 0.0
        book.find_comment(
            gradebook.SUBMISSION, week.stem, week.stem, "bob"
        ).manual_comment = "Tidy code."
        book.find_comment(cell, week.stem, week.stem, "bob").manual_comment = "Half credit."
        book.db.commit()
    record(2.0)  # graded again: the instructor's changes stay
    (row,) = gradebook.stored_grades(url, course, week.stem)
    assert row.scores == {"test_toy.py::test_double": 2.0, "test_toy.py::test_greet": 0.75}
    assert (row.raw_score, row.penalty, row.score) == (2.75, 0.0, 2.75)
    assert gradebook.manual_adjustments(url, course, week.stem) == {
        "bob": Adjustments(
            scores={"test_toy.py::test_greet": 0.75},
            comments={"": "Tidy code.", "test_toy.py::test_greet": "Half credit."},
            penalty=0.0,
        )
    }
    assert gradebook_rows(settings, week.stem)["bob"][0] == pytest.approx(2.75)
    # course export: the instructor's points in the check's column, the comments at the end
    exports = settings.root / "exports"
    workflow.export(settings=settings, weeks=[week], output=exports)
    with (exports / f"{week.stem}.csv").open(newline="") as handle:
        (exported,) = csv.DictReader(handle)
    assert exported["score"] == "2.75"
    assert exported["instructor_comments"] == (
        "submission: Tidy code. | greet says hello: Half credit."
    )
    with Gradebook(url, course) as book:
        assert not book.find_grade(cell, week.stem, week.stem, "bob").needs_manual_grade
    record(1.0)  # the same automatic score for greet, a new one for double: not flagged
    with Gradebook(url, course) as book:
        assert not book.find_grade(cell, week.stem, week.stem, "bob").needs_manual_grade
        book.find_grade(cell, week.stem, week.stem, "bob").auto_score = 0.0
        book.db.commit()
    record(1.0)  # greet's automatic score changed under the instructor's: flagged
    with Gradebook(url, course) as book:
        assert book.find_grade(cell, week.stem, week.stem, "bob").needs_manual_grade
    assert [check.id for check in gradebook.declared_checks(url, course, week.stem)] == [
        check.id for check in CHECKS
    ]


def _graded(penalty: float = 0.6) -> GradedSubmission:
    from course.grading.results import CheckResult, GradeReport

    report = GradeReport(
        week="week01",
        submission="week01_toy.py",
        checks=(
            CheckResult("test_toy.py::test_double", "double doubles", 2.0, 2.0, "passed"),
            CheckResult("test_toy.py::test_greet", "greet greets", 0.0, 1.0, "failed", "said bye"),
        ),
    )
    return GradedSubmission(
        student="bob",
        week="week01_toy",
        submitted_at="2026-12-09T01:59:00+00:00",
        source="week01_toy.py",
        submission_sha256="0" * 64,
        grader_version="v",
        report=report.to_dict(),
        penalty=penalty,
        days_late=2,
    )


def test_graded_notebook_has_a_grade_cell_per_check_and_the_code() -> None:
    """The autograded notebook is valid nbformat with the student's code as the submission's
    solution cell, one grade cell per check (its gradebook name and points, its message as
    output) and the late penalty's cell worth 0."""
    notebook = nbformat.from_dict(graded_notebook(_graded(), code=HALF))
    nbformat.validate(notebook)
    graded = [cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade")]
    assert [(c.metadata.nbgrader.grade_id, c.metadata.nbgrader.points) for c in graded] == [
        (gradebook.cell_name("test_toy.py::test_double"), 2.0),
        (gradebook.cell_name("test_toy.py::test_greet"), 1.0),
        (gradebook.LATE_PENALTY, 0.0),
    ]
    assert "said bye" in graded[1].outputs[0].text
    code = notebook.cells[1]
    assert (code.source, code.metadata.nbgrader.grade_id) == (HALF, gradebook.SUBMISSION)
    assert code.metadata.nbgrader.solution


def test_feedback_page_shows_the_instructors_changes() -> None:
    """The feedback page counts the points and penalty the instructor set, and shows their
    comments: on the whole under the score, on a check with its message."""
    changes = Adjustments(
        scores={"test_toy.py::test_greet": 0.5},
        comments={"": "Tidy code.", "test_toy.py::test_greet": "Close."},
        penalty=0.0,
    )
    page = render_html(_graded(), title="toy", reveal_hidden=True, adjustments=changes)
    summary = read_summary(page)
    assert summary is not None
    assert (summary["score"], summary["penalty"]) == (2.5, 0.0)
    assert "Tidy code." in page
    greet = next(check for check in summary["checks"] if check["name"] == "greet greets")
    assert "changed the points from 0 to 0.5" in greet["message"]
    assert "Close." in greet["message"]


def test_nbgrader_autograde_and_generate_feedback_agree_with_course(
    released: tuple[CourseSettings, Week],  # noqa: F811 (a fixture)
    marked_course: Layout,  # noqa: F811 (a fixture)
) -> None:
    """``nbgrader autograde`` grades with the course's graders: the same gradebook as
    ``course autograde`` (late penalty in nbgrader's total), the student's code (never the
    solution nbgrader copies in) in ``autograded/``, and the notebook formgrader lists; then
    ``nbgrader generate_feedback`` writes ``course feedback``'s page with an instructor's
    changes, and leaves no results.json (hidden messages) beside it."""
    settings, week = released
    settings = late_course(settings, week)
    outcomes = workflow.autograde(settings=settings, week=week)
    assert {o.student: o.status for o in outcomes} == {"ada": "graded", "bob": "graded"}
    by_course = gradebook_rows(settings, week.stem)
    assert by_course["bob"][0] == pytest.approx(2.0 - 0.4)  # two days late: 20 % off
    log = nbgrader(settings, marked_course, "autograde", week.stem, "--force")
    assert "course graded bob's week01_toy" in log
    assert gradebook_rows(settings, week.stem) == by_course
    autograded = settings.directory("autograded", week.stem, "bob")
    assert (autograded / f"{week.stem}.py").read_text() == HALF
    notebook = nbformat.read(autograded / f"{week.stem}.ipynb", as_version=4)
    assert HALF in notebook.cells[1].source

    from nbgrader.api import Gradebook

    with Gradebook(settings.database_url, settings.course_id) as book:
        grade = book.find_grade(gradebook.cell_name(CHECKS[1].id), week.stem, week.stem, "bob")
        grade.manual_score = 0.5
        book.find_comment(
            gradebook.SUBMISSION, week.stem, week.stem, "bob"
        ).manual_comment = "See me about greet."
        book.db.commit()
    nbgrader(settings, marked_course, "generate_feedback", week.stem, "--force")
    folder = settings.directory("feedback", week.stem, "bob")
    page = (folder / f"{week.stem}.html").read_text()
    summary = read_summary(page)
    assert summary is not None
    assert summary["score"] == pytest.approx(2.5 - 0.4)
    assert "See me about greet." in page
    assert not (folder / "results.json").exists()
    assert (
        workflow.feedback(settings=settings, week=week, student="bob")[0].path.read_text() == page
    )


@pytest.fixture
def formgrader(
    released: tuple[CourseSettings, Week],  # noqa: F811 (a fixture)
    marked_course: Layout,  # noqa: F811 (a fixture)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[str, str, CourseSettings, Week]]:
    """``jupyter server`` in the course directory, on a free port with a token, with
    nbgrader's formgrader extension; two graded submissions (bob's late)."""
    settings, week = released
    settings = late_course(settings, week)
    workflow.autograde(settings=settings, week=week)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        monkeypatch.setenv(name, str(tmp_path / "jupyter" / name.lower()))
    monkeypatch.setenv("COURSE_ROOT", str(marked_course.root))
    with running_jupyter("jupyter server", settings.root, tmp_path) as (url, token):
        yield url, token, settings, week


def call(url: str, token: str, method: str, path: str, body: Any = None) -> Any:
    """A REST call to the server; its JSON answer, or its text when it is no JSON."""
    request = urllib.request.Request(
        url + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        text = response.read().decode()
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def test_formgrader_lists_shows_and_adjusts_submissions_on_a_real_server(
    formgrader: tuple[str, str, CourseSettings, Week],
) -> None:
    """formgrader's REST handlers: every submission listed, autograded, its score after the
    late penalty; Manual Grading lists both notebooks and shows bob's code with a score box
    per check; its Autograde button grades with the course (the same gradebook); a score
    and a comment saved there reach ``course feedback`` and the stored grades (exports)."""
    url, token, settings, week = formgrader
    before = gradebook_rows(settings, week.stem)
    submissions = {
        s["student"]: s for s in call(url, token, "GET", f"/formgrader/api/submissions/{week.stem}")
    }
    assert {name: s["autograded"] for name, s in submissions.items()} == {"ada": True, "bob": True}
    assert submissions["bob"]["score"] == pytest.approx(1.6)
    listed = call(url, token, "GET", f"/formgrader/api/submitted_notebooks/{week.stem}/{week.stem}")
    assert sorted(item["student"] for item in listed) == ["ada", "bob"]
    bob = next(item for item in listed if item["student"] == "bob")
    page = call(url, token, "GET", f"/formgrader/submissions/{bob['id']}/")
    assert "bye" in page  # the student's code
    greet = gradebook.cell_name(CHECKS[1].id)
    assert f'id="{greet}"' in page  # its score box
    assert f'id="{greet}-comment"' in page

    answer = call(url, token, "POST", f"/formgrader/api/submission/{week.stem}/bob/autograde")
    assert answer["success"], answer
    assert gradebook_rows(settings, week.stem) == before

    grades = {
        g["name"]: g
        for g in call(url, token, "GET", f"/formgrader/api/grades?submission_id={bob['id']}")
    }
    grade = grades[greet]
    call(url, token, "PUT", f"/formgrader/api/grade/{grade['id']}", {**grade, "manual_score": 1.0})
    comments = {
        c["name"]: c
        for c in call(url, token, "GET", f"/formgrader/api/comments?submission_id={bob['id']}")
    }
    comment = comments[greet]
    call(
        url,
        token,
        "PUT",
        f"/formgrader/api/comment/{comment['id']}",
        {**comment, "manual_comment": "Full marks: the spec was unclear."},
    )
    answer = call(
        url, token, "POST", f"/formgrader/api/assignment/{week.stem}/bob/generate_feedback"
    )
    assert answer["success"], answer
    page = settings.directory("feedback", week.stem, "bob") / f"{week.stem}.html"
    summary = read_summary(page.read_text())
    assert summary is not None
    assert summary["score"] == pytest.approx(3.0 - 0.4)
    assert "the spec was unclear" in page.read_text()
    (row,) = [
        r
        for r in gradebook.stored_grades(settings.database_url, settings.course_id, week.stem)
        if r.student == "bob"
    ]
    assert row.score == pytest.approx(2.6)
