"""How the class did on each check: ``statistics.csv`` and the data of each week's summary.

Read from the gradebook's scores (after any points an instructor gave or took by hand), one
graded submission per student: a check *passed* when it scored its full points; its mean
points are over every graded submission of the week. Students who handed nothing in are not
counted.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from course.records import StoredGrade
from course.reports.export import CheckColumn, number

#: ``statistics.csv``'s columns; ``check`` is the week CSV's header of the check's column.
STATISTICS_COLUMNS = (
    "week",
    "part",
    "part_title",
    "check",
    "check_id",
    "max_points",
    "count",
    "passed",
    "pass_rate",
    "mean_points",
)


@dataclass(frozen=True)
class CheckStatistics:
    """One check over one week's graded submissions."""

    week: str
    column: CheckColumn
    #: Graded submissions.
    count: int
    #: Of them, those that scored the check's full points.
    passed: int
    total_points: float

    @property
    def pass_rate(self) -> float | None:
        """The share that passed, from 0 to 1; None with no submission."""
        return self.passed / self.count if self.count else None

    @property
    def mean_points(self) -> float | None:
        return self.total_points / self.count if self.count else None


def check_statistics(
    week: str, columns: Sequence[CheckColumn], rows: Sequence[StoredGrade]
) -> list[CheckStatistics]:
    """Each check of ``columns`` over ``rows`` (the week's graded submissions), in order."""
    statistics = []
    for column in columns:
        scores = [row.scores.get(column.id, 0.0) for row in rows]
        statistics.append(
            CheckStatistics(
                week=week,
                column=column,
                count=len(scores),
                passed=sum(1 for score in scores if _full(score, column.max_points)),
                total_points=sum(scores),
            )
        )
    return statistics


def _full(score: float, max_points: float) -> bool:
    return max_points > 0 and score >= max_points - 1e-9


def write_statistics(path: Path, statistics: Sequence[CheckStatistics]) -> Path:
    """``statistics.csv``: a row per check (see :data:`STATISTICS_COLUMNS`); a pass rate is
    a fraction from 0 to 1, empty (as is the mean) for a week nobody handed in."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(STATISTICS_COLUMNS)
        for item in statistics:
            column = item.column
            writer.writerow(
                [
                    item.week,
                    "" if column.part is None else column.part,
                    column.part_title,
                    column.header,
                    column.id,
                    number(column.max_points),
                    item.count,
                    item.passed,
                    "" if item.pass_rate is None else number(item.pass_rate),
                    "" if item.mean_points is None else number(item.mean_points),
                ]
            )
    return path
