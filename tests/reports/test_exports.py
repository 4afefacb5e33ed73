"""The exports' pure parts: check columns by name in exercise order, per-check statistics,
the Canvas and Moodle import files and the week's summary page with its chart."""

from __future__ import annotations

import base64
import csv
import io
import re
from pathlib import Path

from PIL import Image

from course.records import Check, StoredGrade
from course.reports.export import check_columns, write_week_csv
from course.reports.lms import (
    CANVAS_STUDENT_COLUMNS,
    GradebookItem,
    missing_emails,
    write_canvas_csv,
    write_moodle_csv,
)
from course.reports.statistics import check_statistics, write_statistics
from course.reports.summary import pass_rate_chart, render_week_summary

# The graders declare, in this order: part 1 zeta then alpha, part 2, then part 10.
NAMED = [
    ("test_1_first.py::test_zeta", "zeta comes first"),
    ("test_1_first.py::test_alpha", "alpha is second"),
    ("test_2_second.py::test_middle", "the middle check"),
    ("test_10_last.py::test_end", "the last check"),
]
# As the gradebook lists them: alphabetically by id.
CHECKS = sorted(
    [
        Check("test_1_first.py::test_zeta", 2.0),
        Check("test_1_first.py::test_alpha", 1.0),
        Check("test_2_second.py::test_middle", 3.0),
        Check("test_10_last.py::test_end", 1.0),
    ],
    key=lambda check: check.id,
)


def _grade(student: str, scores: dict[str, float], penalty: float = 0.0) -> StoredGrade:
    raw = sum(scores.values())
    return StoredGrade(student, "week01_toy", None, scores, raw, penalty, 7.0)


ROWS = [
    _grade(
        "ada",
        {
            "test_1_first.py::test_zeta": 2,
            "test_1_first.py::test_alpha": 1,
            "test_2_second.py::test_middle": 3,
            "test_10_last.py::test_end": 1,
        },
    ),
    _grade(
        "bob",
        {"test_1_first.py::test_zeta": 2, "test_2_second.py::test_middle": 1.5},
        penalty=1.0,
    ),
    _grade("cy", {}),
]


def test_columns_follow_the_exercise_order_and_carry_the_check_names() -> None:
    """The gradebook's alphabetical ids come out in the graders' order (part 10 after part
    2, zeta before alpha as its file declares them), each headed by its docstring's name."""
    assert [check.id for check in CHECKS][:2] == [
        "test_10_last.py::test_end",
        "test_1_first.py::test_alpha",
    ]
    columns = check_columns(CHECKS, NAMED)
    assert [column.header for column in columns] == [name for _, name in NAMED]
    assert [column.part for column in columns] == [1, 1, 2, 10]
    assert [column.max_points for column in columns] == [2.0, 1.0, 3.0, 1.0]


def test_a_check_the_graders_no_longer_name_goes_last_in_its_part() -> None:
    """A check missing from the names is named after its function, after its part's named
    checks; two checks sharing a name are told apart by their functions."""
    checks = [*CHECKS, Check("test_1_first.py::test_old_thing", 1.0)]
    named = [*NAMED[:2], ("test_2_second.py::test_middle", "zeta comes first"), *NAMED[3:]]
    headers = [column.header for column in check_columns(checks, named)]
    assert headers == [
        "zeta comes first [test_zeta]",
        "alpha is second",
        "old thing",
        "zeta comes first [test_middle]",
        "the last check",
    ]


def test_part_titles_come_from_the_grader_files(tmp_path: Path) -> None:
    """A part is titled by its grader file's docstring, without its "Week N grader, part K:"
    prefix and reST markup."""
    (tmp_path / "test_1_first.py").write_text(
        '"""Week 1 grader, part 1: the ``first`` function (exercise 1.1)."""\n'
    )
    columns = check_columns(CHECKS, NAMED, tmp_path)
    assert columns[0].part_title == "the first function (exercise 1.1)"
    assert columns[2].part_title == "second"  # no file: the topic of its name


def test_the_week_csv_is_headed_by_names(tmp_path: Path) -> None:
    """A spreadsheet reads the check names in exercise order between the student and the
    scores, and each student's points under them."""
    columns = check_columns(CHECKS, NAMED)
    comments = {"bob": {"": "See me.", columns[0].id: "Good start."}}
    path = write_week_csv(tmp_path / "week.csv", columns, ROWS, comments=comments)
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == [
        "student_id",
        "submitted_at",
        *(name for _, name in NAMED),
        "raw_score",
        "late_penalty",
        "score",
        "max_score",
        "integrity",
        "isolation",
        "instructor_comments",
    ]
    assert rows[1][:9] == ["bob", "", "2", "0", "1.5", "0", "3.5", "1", "2.5"]
    assert rows[1][-1] == f"submission: See me. | {columns[0].header}: Good start."
    assert rows[0][-1] == ""


def test_statistics_are_the_share_with_full_points_and_the_mean(tmp_path: Path) -> None:
    """Per check, worked out by hand: zeta 2 of 3 passed, mean 4/3; the middle check 1 of 3
    (bob's 1.5 of 3 is not a pass), mean 4.5/3 = 1.5; the last check 1 of 3, mean 1/3."""
    statistics = check_statistics("week01_toy", check_columns(CHECKS, NAMED), ROWS)
    path = write_statistics(tmp_path / "statistics.csv", statistics)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["check"], row["passed"], row["count"]) for row in rows] == [
        ("zeta comes first", "2", "3"),
        ("alpha is second", "1", "3"),
        ("the middle check", "1", "3"),
        ("the last check", "1", "3"),
    ]
    assert rows[0] == {
        "week": "week01_toy",
        "part": "1",
        "part_title": "first",
        "check": "zeta comes first",
        "check_id": "test_1_first.py::test_zeta",
        "max_points": "2",
        "count": "3",
        "passed": "2",
        "pass_rate": "0.666667",
        "mean_points": "1.33333",
    }
    assert (rows[2]["pass_rate"], rows[2]["mean_points"]) == ("0.333333", "1.5")
    empty = check_statistics("week01_toy", check_columns(CHECKS, NAMED), [])
    assert (empty[0].pass_rate, empty[0].mean_points, empty[0].count) == (None, None, 0)


PEOPLE = {
    "ada": ("Ada", "Lovelace", "ada@example.org"),
    "bob": ("Bob", "Babbage", "bob@example.org"),
    "dan": ("Dan", "", "dan@example.org"),  # on the roster, nothing handed in
}
TABLE = {"ada": {"week01_toy": 7.0, "week02_more": 3.0}, "bob": {"week01_toy": 2.5}, "cy": {}}
ITEMS = [
    GradebookItem("week01_toy", "Week 1: toy arithmetic", 7.0, canvas_id="4242"),
    GradebookItem("week02_more", "Week 2: more toys", 5.0),
]


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_the_canvas_file_has_the_columns_canvas_imports(tmp_path: Path) -> None:
    """Student ("Last, First"), ID, SIS User ID (our id), SIS Login ID (the email) and
    Section; an assignment column "Title (id)" where the id is known, else its title; a
    Points Possible row; a blank cell for a week not handed in."""
    header, points, *rows = _read(write_canvas_csv(tmp_path / "c.csv", ITEMS, TABLE, PEOPLE))
    assert header == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Week 1: toy arithmetic (4242)",
        "Week 2: more toys",
    ]
    assert tuple(header[:5]) == CANVAS_STUDENT_COLUMNS
    assert "Points Possible" in points[0]
    assert points[1:] == ["", "", "", "", "7", "5"]
    assert rows == [
        ["Lovelace, Ada", "", "ada", "ada@example.org", "", "7", "3"],
        ["Babbage, Bob", "", "bob", "bob@example.org", "", "2.5", ""],
        ["cy", "", "cy", "", "", "", ""],
        ["Dan", "", "dan", "dan@example.org", "", "", ""],
    ]


def test_the_moodle_file_has_an_identifier_and_a_column_per_grade_item(
    tmp_path: Path,
) -> None:
    """First and last name, ID number and email address (the identifiers Moodle's import
    maps users from), then a column per week, named by its title."""
    header, *rows = _read(write_moodle_csv(tmp_path / "m.csv", ITEMS, TABLE, PEOPLE))
    assert header == [
        "First name",
        "Last name",
        "ID number",
        "Email address",
        "Week 1: toy arithmetic",
        "Week 2: more toys",
    ]
    assert rows[0] == ["Ada", "Lovelace", "ada", "ada@example.org", "7", "3"]
    assert rows[1][-2:] == ["2.5", ""]
    assert missing_emails(TABLE, PEOPLE) == ["cy"]


def test_the_summary_page_embeds_a_chart_of_each_checks_pass_rate() -> None:
    """The page stands alone: its chart is a PNG in a data URI that decodes to a picture
    of more than one colour, and its table lists the checks in exercise order."""
    statistics = check_statistics("week01_toy", check_columns(CHECKS, NAMED), ROWS)
    page = render_week_summary(
        week="week01_toy",
        title="Week 1: toy arithmetic",
        statistics=statistics,
        rows=ROWS,
        max_score=7.0,
    )
    found = re.search(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert found is not None
    image = Image.open(io.BytesIO(base64.b64decode(found[1]))).convert("RGB")
    assert image.format is None or image.format == "PNG"
    assert image.width > 300
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None
    assert len(colours) > 2
    # the part colours are all there: blue, orange and green bars
    assert {(0x4C, 0x72, 0xB0), (0xDD, 0x84, 0x52), (0x55, 0xA8, 0x68)} <= {
        colour for _, colour in colours
    }
    names = [name for _, name in NAMED]
    assert [page.index(f"<td>{name}</td>") for name in names] == sorted(
        page.index(f"<td>{name}</td>") for name in names
    )
    assert "3 graded submissions" in page
    assert "mean score <b>3.16667 / 7</b>" in page  # (7 + 2.5 + 0) / 3


def test_a_week_nobody_handed_in_has_no_chart() -> None:
    """No graded submission: the page says so instead of drawing empty bars."""
    page = render_week_summary(
        week="week01_toy",
        title="Week 1",
        statistics=check_statistics("week01_toy", check_columns(CHECKS, NAMED), []),
        rows=[],
        max_score=7.0,
    )
    assert "<img" not in page
    assert "No graded submission yet" in page


def test_the_chart_is_a_png() -> None:
    """pass_rate_chart returns PNG bytes on its own (matplotlib's Agg, no display)."""
    statistics = check_statistics("week01_toy", check_columns(CHECKS, NAMED), ROWS)
    assert pass_rate_chart(statistics).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_name_that_would_start_a_formula_is_written_as_text(tmp_path: Path) -> None:
    """A roster name or an instructor's comment starting with =, +, -, @ reaches every
    export with a leading apostrophe (spreadsheets show it as text and run nothing);
    scores, negative ones included, stay numbers."""
    people = {"eve": ('=HYPERLINK("http://x")', "@SUM(1)", "+eve@example.org")}
    table = {"eve": {"week01_toy": 7.0}}
    (canvas_row,) = _read(write_canvas_csv(tmp_path / "c.csv", ITEMS, table, people))[2:]
    assert canvas_row[0] == '\'@SUM(1), =HYPERLINK("http://x")'
    assert canvas_row[3] == "'+eve@example.org"
    (moodle_row,) = _read(write_moodle_csv(tmp_path / "m.csv", ITEMS, table, people))[1:]
    assert moodle_row[:4] == ['\'=HYPERLINK("http://x")', "'@SUM(1)", "eve", "'+eve@example.org"]
    week = write_week_csv(
        tmp_path / "w.csv",
        check_columns(CHECKS, NAMED),
        [_grade("-eve", {"test_1_first.py::test_zeta": 2}, penalty=-0.5)],
        comments={"-eve": {"": "=1+1"}},
    )
    (row,) = _read(week)[1:]
    assert row[0] == "'-eve"
    assert row[-1] == "submission: =1+1"  # mid-cell, not a formula
    assert "-0.5" in row  # a number keeps its sign
