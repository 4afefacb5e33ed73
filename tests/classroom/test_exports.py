"""course export on a real nbgrader gradebook: check columns by name in exercise order,
grades.csv with the roster and integrity flags, Canvas and Moodle import files,
statistics.csv and a summary page per week. The gradebook is filled directly (declare the
checks, record the scores), as ``course release`` and ``course autograde`` would: nothing is
graded here."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from course.classroom import workflow
from course.classroom.settings import CourseSettings
from course.cli import main
from course.config import Week
from course.grading.results import CheckResult, GradeReport
from course.nbgrader import gradebook
from course.records import Check, GradedSubmission
from tests.classroom.conftest import copy_course

STEM = "week01_toy"
FIRST = '''
"""Week 1 grader, part 1: ``double`` and ``greet`` (exercises 1.1 and 1.2)."""
import pytest

pytestmark = pytest.mark.visibility("visible")


@pytest.mark.points(2)
def test_zeta(submission):
    """double doubles numbers"""


@pytest.mark.points(1)
def test_alpha(submission):
    """greet says hello"""
'''
SECOND = '''
"""Week 1 grader, part 2: ``triple`` (exercise 1.3)."""
import pytest

pytestmark = pytest.mark.visibility("visible")


@pytest.mark.points(3)
def test_middle(submission):
    """triple triples numbers"""
'''
ZETA, ALPHA, MIDDLE = (
    "test_1_first.py::test_zeta",
    "test_1_first.py::test_alpha",
    "test_2_second.py::test_middle",
)


def _week(root: Path) -> Week:
    graders = root / "graders" / STEM
    graders.mkdir(parents=True)
    (graders / "test_1_first.py").write_text(FIRST)
    (graders / "test_2_second.py").write_text(SECOND)
    assignment = root / "assignments" / f"{STEM}.py"
    assignment.parent.mkdir()
    assignment.write_text('"""Week 1: toy arithmetic."""\n')
    return Week(1, STEM, assignment, root / "solutions" / f"{STEM}.py", graders)


NAMES = {
    ZETA: "double doubles numbers",
    ALPHA: "greet says hello",
    MIDDLE: "triple triples numbers",
}


def _save_report(settings: CourseSettings, student: str, integrity: tuple[str, ...] = ()) -> None:
    """``results.json`` of a graded submission: every check failed, in the graders' order."""
    report = GradeReport(
        week="week01",
        submission="submission.py",
        checks=tuple(
            CheckResult(check_id, name, 0.0, 1.0, "integrity" if integrity else "failed")
            for check_id, name in NAMES.items()
        ),
        integrity=integrity,
    )
    workflow.save_results(
        settings.directory("autograded", STEM, student),
        GradedSubmission(
            student=student,
            week=STEM,
            submitted_at=None,
            source="submission.py",
            submission_sha256="0" * 64,
            grader_version="test",
            report=report.to_dict(),
        ),
    )


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_export_writes_readable_grades_lms_files_statistics_and_a_summary(
    initialized: Path, tmp_path: Path
) -> None:
    """Three students graded, one of them late and one flagged for tampering, one more on
    the roster with nothing handed in: every export file, read back as a spreadsheet or an
    LMS would, says so in check names and exercise order."""
    settings = copy_course(initialized, tmp_path)
    week = _week(tmp_path)
    # As course release declares them; nbgrader gives them back sorted by id.
    checks = [Check(ZETA, 2.0), Check(ALPHA, 1.0), Check(MIDDLE, 3.0)]
    gradebook.declare_week(settings.database_url, "tf101", STEM, checks, None)
    moment = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    for student, scores, penalty in (
        ("ada", {ZETA: 2.0, ALPHA: 1.0, MIDDLE: 3.0}, 0.0),
        ("bob", {ZETA: 2.0, ALPHA: 0.0, MIDDLE: 1.5}, 1.0),  # 1.5 given by hand
        ("cy", {}, 0.0),
    ):
        gradebook.record(
            settings.database_url,
            "tf101",
            week=STEM,
            student=student,
            timestamp=moment,
            scores=scores,
            penalty=penalty,
        )
    _save_report(settings, "cy", integrity=("replaced the probe registry",))
    gradebook.import_students(
        settings.database_url,
        "tf101",
        [
            ("ada", "Ada", "Lovelace", "ada@example.org"),
            ("bob", "Bob", "Babbage", "bob@example.org"),
            ("dan", "Dan", "Dean", "dan@example.org"),
        ],
    )
    warnings: list[str] = []
    output = settings.root / "exports"
    written = workflow.export(
        settings=settings,
        weeks=[week],
        output=output,
        canvas_ids={STEM: "4242"},
        on_warning=warnings.append,
    )
    assert {path.name for path in written} >= {
        f"{STEM}.csv",
        f"{STEM}_summary.html",
        "statistics.csv",
        "grades.csv",
        "canvas.csv",
        "moodle.csv",
    }

    header, *rows = _rows(output / f"{STEM}.csv")
    assert header[2:5] == ["double doubles numbers", "greet says hello", "triple triples numbers"]
    assert rows[1][:9] == ["bob", "2026-03-01T12:00:00", "2", "0", "1.5", "3.5", "1", "2.5", "6"]

    with (output / "grades.csv").open(newline="", encoding="utf-8") as handle:
        grades = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert (grades["bob"]["first_name"], grades["bob"]["email"], grades["bob"][STEM]) == (
        "Bob",
        "bob@example.org",
        "2.5",
    )
    assert grades["cy"]["integrity_flags"] == STEM
    assert grades["ada"]["integrity_flags"] == ""
    assert (grades["dan"][STEM], grades["dan"]["total"]) == ("0", "0")

    canvas = _rows(output / "canvas.csv")
    assert canvas[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Week 1: toy arithmetic (4242)",
    ]
    assert canvas[1][0].strip() == "Points Possible"
    assert canvas[1][-1] == "6"
    assert canvas[2:] == [
        ["Lovelace, Ada", "", "ada", "ada@example.org", "", "6"],
        ["Babbage, Bob", "", "bob", "bob@example.org", "", "2.5"],
        ["cy", "", "cy", "", "", "0"],
        ["Dean, Dan", "", "dan", "dan@example.org", "", ""],
    ]
    moodle = _rows(output / "moodle.csv")
    assert moodle[0] == [
        "First name",
        "Last name",
        "ID number",
        "Email address",
        "Week 1: toy arithmetic",
    ]
    assert moodle[2] == ["Bob", "Babbage", "bob", "bob@example.org", "2.5"]
    assert len(warnings) == 1
    assert "cy" in warnings[0]
    assert "course roster import" in warnings[0]

    with (output / "statistics.csv").open(newline="", encoding="utf-8") as handle:
        statistics = list(csv.DictReader(handle))
    # zeta: ada and bob of 3, mean 4/3; greet: ada, 1/3; triple: ada only, (3 + 1.5) / 3.
    assert [
        (row["part"], row["check"], row["check_id"], row["pass_rate"], row["mean_points"])
        for row in statistics
    ] == [
        ("1", "double doubles numbers", ZETA, "0.666667", "1.33333"),
        ("1", "greet says hello", ALPHA, "0.333333", "0.333333"),
        ("2", "triple triples numbers", MIDDLE, "0.333333", "1.5"),
    ]
    assert {row["part_title"] for row in statistics} == {
        "double and greet (exercises 1.1 and 1.2)",
        "triple (exercise 1.3)",
    }

    page = (output / f"{STEM}_summary.html").read_text(encoding="utf-8")
    assert "Week 1: toy arithmetic" in page
    found = re.search(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert found is not None
    image = Image.open(io.BytesIO(base64.b64decode(found[1]))).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None
    assert len(colours) > 2


def test_export_refuses_a_canvas_assignment_that_is_not_an_id(tmp_path: Path) -> None:
    """--canvas-assignment takes WEEK=ID with Canvas's number; anything else is a usage
    error that says the form and where to find the number."""
    result = CliRunner().invoke(
        main, ["export", "--canvas-assignment", "2=Week two", "--course-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "WEEK=ID" in result.output
    assert "assignments/ID" in result.output


def test_without_readable_graders_the_names_come_from_the_graded_reports(
    initialized: Path, tmp_path: Path
) -> None:
    """Where the grader files cannot be read without running them (here: no visibility
    declared), the columns take their names and order from a graded submission's report."""
    settings = copy_course(initialized, tmp_path)
    week = _week(tmp_path)
    for grader in week.graders.glob("test_*.py"):
        grader.write_text(grader.read_text().replace("pytestmark", "unused"))
    checks = [Check(ZETA, 2.0), Check(ALPHA, 1.0), Check(MIDDLE, 3.0)]
    gradebook.declare_week(settings.database_url, "tf101", STEM, checks, None)
    gradebook.record(
        settings.database_url,
        "tf101",
        week=STEM,
        student="ada",
        timestamp=None,
        scores={ZETA: 2.0},
        penalty=0.0,
    )
    output = settings.root / "exports"
    workflow.export(settings=settings, weeks=[week], output=output)
    # No report yet: named after their functions, by part, then by id.
    assert _rows(output / f"{STEM}.csv")[0][2:5] == ["alpha", "zeta", "middle"]
    _save_report(settings, "ada")
    workflow.export(settings=settings, weeks=[week], output=output)
    assert _rows(output / f"{STEM}.csv")[0][2:5] == list(NAMES.values())
