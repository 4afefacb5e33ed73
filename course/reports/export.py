"""Grades as CSV: one file per week (a column per check) and one summary (a column per week).

A week's columns are its checks in exercise order (the graders' parts, then each check where
its file declares it), headed by the check's name (the first line of its docstring), not by
its pytest node id: :func:`check_columns` orders and names the gradebook's checks, and
``statistics.csv`` (:mod:`course.reports.statistics`) keys each column back to its check id.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from course.records import Check, StoredGrade
from course.reports.terminal import part_of, part_title

#: The week CSV's own columns: no check column is ever headed like one of them.
WEEK_COLUMNS = (
    "student_id",
    "submitted_at",
    "raw_score",
    "late_penalty",
    "score",
    "max_score",
    "integrity",
    "isolation",
    "instructor_comments",
)


@dataclass(frozen=True)
class CheckColumn:
    """One check as the exports show it."""

    id: str
    name: str
    max_points: float
    #: The number of its grader file (``test_2_dataset.py``: 2), None for a file without one.
    part: int | None
    #: The grader file's title (its docstring's first line), e.g. "the tf.data pipeline".
    part_title: str
    #: The week CSV's column header: the name, or, where two checks of the week share it,
    #: the name and the check's function.
    header: str


def check_columns(
    checks: Sequence[Check],
    named: Sequence[tuple[str, str]],
    graders: Path | None = None,
) -> list[CheckColumn]:
    """The gradebook's ``checks`` (in any order) in exercise order, each with its name.

    ``named``: ``(check id, name)`` in the order the graders declare their checks (a grading
    report's order, or :func:`course.grading.declared.declared_checks`); a check missing from
    it is named after its function and goes after the named checks of its part.
    ``graders``: the week's grader folder, whose files' docstrings title the parts.
    """
    position: dict[str, int] = {}
    names: dict[str, str] = {}
    for index, (check_id, name) in enumerate(named):
        position.setdefault(check_id, index)
        names.setdefault(check_id, name)

    def order(check: Check) -> tuple[float, str, float, str]:
        file, number = part_of(check.id)
        return (
            math.inf if number is None else number,
            file,
            position.get(check.id, math.inf),
            check.id,
        )

    ordered = sorted(checks, key=order)
    labels = [names.get(check.id) or _function_name(check.id) for check in ordered]
    columns = []
    for check, label in zip(ordered, labels, strict=True):
        header = label
        if labels.count(label) > 1 or label in WEEK_COLUMNS:
            header = f"{label} [{check.id.rsplit('::', 1)[-1]}]"
        file, number = part_of(check.id)
        columns.append(
            CheckColumn(
                id=check.id,
                name=label,
                max_points=check.max_points,
                part=number,
                part_title=part_title(graders / file if graders else None, file),
                header=header,
            )
        )
    return columns


def _function_name(check_id: str) -> str:
    """``test_2_dataset.py::test_dataset_batch_sizes`` -> ``dataset batch sizes``."""
    return check_id.rsplit("::", 1)[-1].removeprefix("test_").replace("_", " ")


def write_week_csv(
    path: Path,
    columns: Sequence[CheckColumn],
    rows: Sequence[StoredGrade],
    notes: Mapping[str, tuple[str, str]] | None = None,
    comments: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """``student_id, submitted_at, <check names...>, raw_score, late_penalty, score,
    max_score, integrity, isolation, instructor_comments``, the checks in the order of
    ``columns`` (:func:`check_columns`). ``notes``: per student, what the submission did to
    the grading machinery (empty when nothing) and how it was isolated (``full``, or what
    was missing). ``comments``: per student, the comments an instructor typed in formgrader,
    by check id (``""``: on the whole submission), written as "check name: comment" and
    joined by " | "."""
    headers = {column.id: column.header for column in columns}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [*WEEK_COLUMNS[:2], *(column.header for column in columns), *WEEK_COLUMNS[2:]]
        )
        maximum = sum(column.max_points for column in columns)
        for row in rows:
            integrity, isolation = (notes or {}).get(row.student, ("", ""))
            typed = sorted((comments or {}).get(row.student, {}).items())
            writer.writerow(
                [
                    text(row.student),
                    row.timestamp.isoformat() if row.timestamp else "",
                    *(number(row.scores.get(column.id, 0.0)) for column in columns),
                    number(row.raw_score),
                    number(row.penalty),
                    number(row.score),
                    number(maximum),
                    integrity,
                    isolation,
                    text(
                        " | ".join(
                            f"{headers.get(check, check) if check else 'submission'}: {comment}"
                            for check, comment in typed
                        )
                    ),
                ]
            )
    return path


def write_summary(
    path: Path,
    table: Mapping[str, Mapping[str, float]],
    maxima: Mapping[str, float],
    flagged: Mapping[str, Sequence[str]] | None = None,
    *,
    people: Mapping[str, tuple[str, str, str]] | None = None,
    late_days: Mapping[str, int] | None = None,
) -> Path:
    """``student_id, first_name, last_name, email, <week...>, total, max_total, late_days,
    integrity_flags``: a row for every student who handed something in or is on the roster;
    a week not handed in counts 0; ``people``: names and emails from the roster (``course
    roster import``); ``late_days``: per student, the started days late over every week;
    ``flagged``: per student, the weeks whose submission tampered with the grading
    machinery."""
    weeks = list(maxima)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "student_id",
                "first_name",
                "last_name",
                "email",
                *weeks,
                "total",
                "max_total",
                "late_days",
                "integrity_flags",
            ]
        )
        for student in sorted(set(table) | set(people or {})):
            scores = [table.get(student, {}).get(week, 0.0) for week in weeks]
            writer.writerow(
                [
                    text(student),
                    *map(text, (people or {}).get(student, ("", "", ""))),
                    *(number(score) for score in scores),
                    number(sum(scores)),
                    number(sum(maxima.values())),
                    (late_days or {}).get(student, 0),
                    " ".join((flagged or {}).get(student, ())),
                ]
            )
    return path


def number(value: float) -> str:
    """A score as a spreadsheet reads it: ``2``, ``1.5``, ``0.666667``."""
    return f"{round(value, 6):g}"


#: What a spreadsheet takes for the start of a formula in a cell it opens.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text(value: str) -> str:
    """Words for a CSV cell (a name, an email, a comment): one that would start a formula
    (``=HYPERLINK(...)`` typed as a name) gets a leading apostrophe, which spreadsheets show
    as plain text, so opening an export never runs what a student or a roster typed."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
