"""How a batch shows its progress: a bar with each student's outcome and an ETA on a
terminal, plain lines elsewhere, and JSON lines for wrappers (``--events FILE``)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import IO, Any

#: Memory one grading job may use at its peak (its grading process and its worker): the
#: heaviest reference solutions (weeks 5 and 12) stay under it.
JOB_MEMORY_BYTES = 3 << 30


def default_jobs() -> tuple[int, str]:
    """How many submissions to grade at once here, and why: each job gets two cores (its
    TensorFlow ops run on several threads) and :data:`JOB_MEMORY_BYTES` of memory."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    memory = _available_memory()
    by_cores = max(1, cores // 2)
    by_memory = max(1, memory // JOB_MEMORY_BYTES) if memory else by_cores
    jobs = min(by_cores, by_memory)
    shown = f"{memory / (1 << 30):.0f} GiB available" if memory else "memory unknown"
    return jobs, f"{cores} cores, {shown}"


def _available_memory() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class BatchDisplay:
    """Renders :func:`course.classroom.workflow.autograde`'s events (pass :meth:`event`)."""

    def __init__(self, stream: IO[str], *, events: IO[str] | None = None) -> None:
        self.stream = stream
        self.events = events
        self.began = time.monotonic()
        self.total = 0
        self.done = 0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> BatchDisplay:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._progress is not None:
            self._progress.stop()
        if self.events is not None:
            self.events.flush()

    def event(self, event: dict[str, Any]) -> None:
        if self.events is not None:
            self.events.write(json.dumps({"time": round(time.time(), 3), **event}) + "\n")
            self.events.flush()
        kind = event.get("event")
        if kind == "batch":
            self._start(event)
        elif kind == "done":
            self._done(event)

    def _start(self, event: dict[str, Any]) -> None:
        self.total = int(event["students"])
        to_grade, distinct = int(event["to_grade"]), int(event["distinct"])
        same = f" ({to_grade - distinct} identical to another)" if distinct < to_grade else ""
        where = (
            f"on the Dask cluster at {event['scheduler']}"
            if event.get("scheduler")
            else f"{event['jobs']} at a time"
        )
        self._line(
            f"{event['week']}: {self.total} submission(s), {to_grade} to grade{same}, {where}"
        )
        if self.stream.isatty() and to_grade:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("grading"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
            )
            self._task = self._progress.add_task("grading", total=self.total)
            self._progress.start()

    def _done(self, event: dict[str, Any]) -> None:
        self.done += 1
        status = event["status"]
        if status == "failed":
            shown = "FAILED"
        else:
            shown = f"{status}, {event['score']:g} / {event['max_score']:g}"
        seconds = float(event.get("seconds") or 0)
        took = f" in {seconds:.1f} s" if seconds else ""
        on = f" on {event['worker']}" if event.get("worker") else ""
        line = f"[{self.done}/{self.total}] {event['student']}: {shown}{took}{on}"
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False)
            self._progress.update(self._task, completed=self.done)
        else:
            self._line(line + self._eta())

    def _eta(self) -> str:
        left = self.total - self.done
        if not left or not self.done:
            return ""
        remaining = (time.monotonic() - self.began) / self.done * left
        return f" (about {_duration(remaining)} left)"

    def _line(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def open_events(path: Path | None) -> IO[str] | None:
    """The ``--events`` file, opened for appending (a resumed batch adds to it)."""
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("a", encoding="utf-8")
