"""course roster import: names and emails in nbgrader's student table, all rows or none."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from course.cli import main
from tests.classroom.conftest import copy_course


@pytest.fixture
def course_root(initialized: Path, tmp_path: Path) -> Path:
    return copy_course(initialized, tmp_path).root


def _students(course_root: Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    from nbgrader.api import Gradebook

    from course.classroom.settings import CourseSettings

    settings = CourseSettings.load(course_root)
    gradebook = Gradebook(settings.database_url, settings.course_id)
    try:
        return {s.id: (s.first_name, s.last_name, s.email) for s in gradebook.students}
    finally:
        gradebook.close()


def test_a_roster_fills_and_updates_nbgraders_students(course_root: Path, tmp_path: Path) -> None:
    """The rows land in nbgrader's own student table; importing again updates them."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "\ufeffStudent_ID,First,Last,Email,Section\n"
        "ada,Ada,Lovelace,ada@example.org,A\n"
        "\n"
        "bob,Bob,,bob@example.org,B\n"
    )
    args = ["roster", "import", str(roster), "--course-dir", str(course_root)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Imported 2 students" in result.output
    assert "2 new, 0 updated" in result.output
    assert _students(course_root) == {
        "ada": ("Ada", "Lovelace", "ada@example.org"),
        "bob": ("Bob", None, "bob@example.org"),
    }
    roster.write_text("id,first_name,last_name,email\nbob,Robert,Jones,bob@example.org\n")
    again = CliRunner().invoke(main, args)
    assert "0 new, 1 updated" in again.output
    assert _students(course_root)["bob"] == ("Robert", "Jones", "bob@example.org")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("first,last\nAda,Lovelace\n", "has no id column"),
        (
            "id,email\nada,ada@example.org\nada,other@example.org\n",
            "line 3: the id 'ada' is already on line 2",
        ),
        ("id,email\nada,not-an-email\n", "line 2: 'not-an-email' is not an email address"),
        ("id\nada+x\n", "line 2: the id 'ada+x' cannot name a submission"),
        ("id,email\n", "has a header but no student"),
    ],
)
def test_a_wrong_row_imports_nothing(
    course_root: Path, tmp_path: Path, text: str, message: str
) -> None:
    """A wrong row is named with its line and the fix; nothing is imported."""
    roster = tmp_path / "roster.csv"
    roster.write_text(text)
    result = CliRunner().invoke(
        main, ["roster", "import", str(roster), "--course-dir", str(course_root)]
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert _students(course_root) == {}


def test_grades_csv_names_each_student_and_their_days_late(tmp_path: Path) -> None:
    """grades.csv: the roster's names and email beside the id, the weeks, the total and the
    started days late over every week (a student not on the roster has empty names)."""
    import csv

    from course.reports.export import write_summary

    path = write_summary(
        tmp_path / "grades.csv",
        {"ada": {"week01": 3.0}, "bob": {"week01": 1.5}},
        {"week01": 3.0},
        people={"ada": ("Ada", "Lovelace", "ada@example.org")},
        late_days={"bob": 2},
    )
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert rows[0] == {
        "student_id": "ada",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "week01": "3",
        "total": "3",
        "max_total": "3",
        "late_days": "0",
        "integrity_flags": "",
    }
    assert (rows[1]["first_name"], rows[1]["late_days"]) == ("", "2")
