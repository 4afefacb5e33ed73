"""A self-learner's best score per week, kept in a small JSON file on their machine: the
best score, the file that earned it and when, and how many times each file was checked."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from course.grading.results import GradeReport


@dataclass(frozen=True)
class WeekProgress:
    """What the learner achieved on one week so far."""

    week: str
    best_score: float
    max_score: float
    #: Checks of every file of the week together.
    attempts: int
    last_score: float
    last_checked: str
    #: The file that earned the best score (the first to reach it), and when.
    best_file: str = ""
    best_checked: str = ""
    #: How many times each file was checked, by its path.
    files: dict[str, int] = field(default_factory=dict)


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
                # An entry from before files were counted reads with none.
                entries[name] = WeekProgress(**entry)
            except TypeError:
                continue
        return entries

    def record(self, report: GradeReport, *, file: Path | str | None = None) -> WeekProgress:
        """Add one grading run of ``file`` (default: the report's submission); the best
        score only ever goes up."""
        entries = self.load()
        previous = entries.get(report.week)
        name = str(Path(file if file is not None else report.submission).resolve())
        now = datetime.now(UTC).isoformat(timespec="seconds")
        if previous is None or report.score > previous.best_score:
            best_score, best_file, best_checked = report.score, name, now
        else:
            best_score, best_file = previous.best_score, previous.best_file
            best_checked = previous.best_checked
        files = dict(previous.files) if previous else {}
        files[name] = files.get(name, 0) + 1
        entry = WeekProgress(
            week=report.week,
            best_score=best_score,
            max_score=report.max_score,
            attempts=(previous.attempts if previous else 0) + 1,
            last_score=report.score,
            last_checked=now,
            best_file=best_file,
            best_checked=best_checked,
            files=files,
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
