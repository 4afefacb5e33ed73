"""Grades for an LMS gradebook: the CSV files Canvas and Moodle import, a column per week.

Each cell is the week's score after any late penalty; a week a student has not handed in is
left blank, not 0: both imports read a blank as "no grade" (and would remove a grade entered
in the LMS by hand; Canvas shows every change before it saves them).

* **Canvas** (Grades > Import): ``Student, ID, SIS User ID, SIS Login ID, Section``, then a
  column per assignment. Canvas finds each student by ``ID`` (its own user id, which we do
  not know, so it is empty), else by ``SIS User ID`` (our student id), else by ``SIS Login
  ID`` (the roster's email), else by name (``Student``: "Last, First"). An assignment
  column headed ``Title (id)`` fills the Canvas assignment with that id; a plain title
  fills the assignment of that name, or creates it. The second row, ``Points Possible``,
  gives each week's points, as Canvas's own export does.
* **Moodle** (Grades > Import > CSV file): ``First name, Last name, ID number, Email
  address``, then a column per week; in the import form map users from ``Email address``
  (or ``ID number``, our student id) and each week's column to its grade item (or to a new
  grade item). Moodle refuses the whole file when one row's user is not found.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from course.reports.export import number, text

CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: Canvas reads the row whose first cell holds this as each assignment's points.
CANVAS_POINTS_ROW = "    Points Possible"
MOODLE_STUDENT_COLUMNS = ("First name", "Last name", "ID number", "Email address")


@dataclass(frozen=True)
class GradebookItem:
    """One week as an LMS gradebook column."""

    week: str
    #: The column's title: "Week 2: classifying Fashion-MNIST with a dense network".
    title: str
    max_points: float
    #: The Canvas assignment's id, when known: the column is then headed "title (id)".
    canvas_id: str = ""


def item_title(number: int, title: str) -> str:
    """The LMS column's title of week ``number``, its reST markup taken out."""
    return f"Week {number}: {title.replace('``', '')}"


def write_canvas_csv(
    path: Path,
    items: Sequence[GradebookItem],
    table: Mapping[str, Mapping[str, float]],
    people: Mapping[str, tuple[str, str, str]],
) -> Path:
    """Canvas's gradebook import file (see the module docstring). ``table``: per student,
    the score of each week they handed in; ``people``: the roster's first name, last name
    and email per student; every student of either gets a row."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                *CANVAS_STUDENT_COLUMNS,
                *(
                    f"{item.title} ({item.canvas_id})" if item.canvas_id else item.title
                    for item in items
                ),
            ]
        )
        writer.writerow(
            [CANVAS_POINTS_ROW, "", "", "", "", *(number(item.max_points) for item in items)]
        )
        for student in _students(table, people):
            first, last, email = people.get(student, ("", "", ""))
            writer.writerow(
                [
                    text(", ".join(part for part in (last, first) if part) or student),
                    "",
                    text(student),
                    text(email),
                    "",
                    *_scores(table.get(student, {}), items),
                ]
            )
    return path


def write_moodle_csv(
    path: Path,
    items: Sequence[GradebookItem],
    table: Mapping[str, Mapping[str, float]],
    people: Mapping[str, tuple[str, str, str]],
) -> Path:
    """Moodle's CSV grade import file (see the module docstring); arguments as for
    :func:`write_canvas_csv`."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*MOODLE_STUDENT_COLUMNS, *(item.title for item in items)])
        for student in _students(table, people):
            first, last, email = people.get(student, ("", "", ""))
            named = map(text, (first, last, student, email))
            writer.writerow([*named, *_scores(table.get(student, {}), items)])
    return path


def missing_emails(
    table: Mapping[str, Mapping[str, float]], people: Mapping[str, tuple[str, str, str]]
) -> list[str]:
    """The students of the LMS files with no email on the roster (Moodle cannot find them
    by email; Canvas only by id or name)."""
    return [
        student for student in _students(table, people) if not people.get(student, ("",) * 3)[2]
    ]


def _students(
    table: Mapping[str, Mapping[str, float]], people: Mapping[str, tuple[str, str, str]]
) -> list[str]:
    return sorted(set(table) | set(people))


def _scores(scores: Mapping[str, float], items: Sequence[GradebookItem]) -> list[str]:
    return [number(scores[item.week]) if item.week in scores else "" for item in items]
