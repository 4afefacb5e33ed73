"""How long a class takes through the instructor's commands, step by step.

Builds a throwaway course directory (SQLite, or the database URL given), releases one week,
hands in N copies of its reference solution (every student through nbgrader's exchange:
fetch, then submit), then times collect, autograde (first run, then the re-run that finds
nothing changed), feedback and export. The figure that matters for a big class is
autograde's seconds per student: each submission is graded in its own grading process (a fork
of the batch's warm template) and its own sandboxed worker; each student's copy differs by a
comment, so none is skipped as identical to another.

Usage: python benchmarks/class_workflow.py [WEEK] [--students N] [--jobs N] [--database URL]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from course.classroom import workflow
from course.classroom.student import Workspace
from course.config import Layout

ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, action: Callable[[], Any]) -> Any:
    begin = time.monotonic()
    result = action()
    print(f"{label:34} {time.monotonic() - begin:7.1f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("week", nargs="?", default="1")
    parser.add_argument("--students", type=int, default=5)
    parser.add_argument("--database", default="sqlite:///gradebook.db")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at once")
    options = parser.parse_args()
    week = Layout(ROOT).week(options.week)
    base = Path(tempfile.mkdtemp(prefix="course-bench-"))
    try:
        settings = workflow.init(
            root=base / "course",
            course_id="bench",
            database=options.database,
            exchange=str(base / "exchange"),
        )
        timed(f"release {week.stem}", lambda: workflow.release(settings=settings, week=week))
        names = [f"student{index:03d}" for index in range(options.students)]

        def hand_in() -> None:
            for name in names:
                home = base / "homes" / name
                seat = Workspace(settings.exchange, "bench", home, name, home / ".cache")
                folder = seat.fetch(week.stem)
                # Each student's copy differs by a comment: identical files are graded once.
                text = week.solution.read_text(encoding="utf-8") + f"\n# {name}\n"
                (folder / f"{week.stem}.py").write_text(text, encoding="utf-8")
                (folder / f"{week.stem}.ipynb").unlink()
                seat.submit(week.stem)

        timed(f"fetch + submit x {len(names)}", hand_in)
        timed("collect", lambda: workflow.collect(settings=settings, week=week))
        begin = time.monotonic()
        outcomes = workflow.autograde(settings=settings, week=week, jobs=options.jobs)
        seconds = time.monotonic() - begin
        scores = sorted({f"{o.score:g}/{o.max_score:g}" for o in outcomes})
        print(
            f"{'autograde (first run)':34} {seconds:7.1f} s  "
            f"({seconds / len(names):.1f} s per student; scores {', '.join(scores)})"
        )
        timed(
            "autograde (nothing changed)", lambda: workflow.autograde(settings=settings, week=week)
        )
        timed("feedback", lambda: workflow.feedback(settings=settings, week=week))
        timed(
            "export",
            lambda: workflow.export(settings=settings, weeks=[week], output=base / "exports"),
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
