"""A self-learner's best score per week, kept in a small JSON file on their machine."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from course.grading.results import GradeReport


@dataclass(frozen=True)
class WeekProgress:
    """What the learner achieved on one week so far."""

    week: str
    best_score: float
    max_score: float
    attempts: int
    last_score: float
    last_checked: str


class ProgressStore:
    """Best scores per week in ``path`` (JSON), written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, WeekProgress]:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            # A damaged file must not stop grading; it is replaced on the next record.
            return {}
        weeks = document.get("weeks", {}) if isinstance(document, dict) else {}
        entries = {}
        for name, entry in weeks.items():
            try:
                entries[name] = WeekProgress(**entry)
            except TypeError:
                continue
        return entries

    def record(self, report: GradeReport) -> WeekProgress:
        """Add one grading run; the best score only ever goes up."""
        entries = self.load()
        previous = entries.get(report.week)
        entry = WeekProgress(
            week=report.week,
            best_score=max(report.score, previous.best_score if previous else 0.0),
            max_score=report.max_score,
            attempts=(previous.attempts if previous else 0) + 1,
            last_score=report.score,
            last_checked=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        entries[report.week] = entry
        self._write({"weeks": {name: asdict(value) for name, value in sorted(entries.items())}})
        return entry

    def _write(self, document: dict[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".progress-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=1)
        os.replace(temporary, self.path)
