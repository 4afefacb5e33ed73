"""Grades as CSV: one file per week (a column per check) and one summary (a column per week)."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from course.records import Check, StoredGrade


def write_week_csv(
    path: Path,
    checks: Sequence[Check],
    rows: Sequence[StoredGrade],
    notes: Mapping[str, tuple[str, str]] | None = None,
) -> Path:
    """``student_id, submitted_at, <check ids...>, raw_score, late_penalty, score, max_score,
    integrity, isolation``. ``notes``: per student, what the submission did to the grading
    machinery (empty when nothing) and how it was isolated (``full``, or what was missing)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "student_id",
                "submitted_at",
                *(check.id for check in checks),
                "raw_score",
                "late_penalty",
                "score",
                "max_score",
                "integrity",
                "isolation",
            ]
        )
        maximum = sum(check.max_points for check in checks)
        for row in rows:
            integrity, isolation = (notes or {}).get(row.student, ("", ""))
            writer.writerow(
                [
                    row.student,
                    row.timestamp.isoformat() if row.timestamp else "",
                    *(_number(row.scores.get(check.id, 0.0)) for check in checks),
                    _number(row.raw_score),
                    _number(row.penalty),
                    _number(row.score),
                    _number(maximum),
                    integrity,
                    isolation,
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
    integrity_flags``; a week not handed in counts 0; ``people``: names and emails from the
    roster (``course roster import``); ``late_days``: per student, the started days late
    over every week; ``flagged``: per student, the weeks whose submission tampered with the
    grading machinery."""
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
        for student in sorted(table):
            scores = [table[student].get(week, 0.0) for week in weeks]
            writer.writerow(
                [
                    student,
                    *(people or {}).get(student, ("", "", "")),
                    *(_number(score) for score in scores),
                    _number(sum(scores)),
                    _number(sum(maxima.values())),
                    (late_days or {}).get(student, 0),
                    " ".join((flagged or {}).get(student, ())),
                ]
            )
    return path


def _number(value: float) -> str:
    return f"{round(value, 6):g}"
