"""What one grading costs beyond its checks: cold grading processes against warm ones.

Grades, in the sandbox, submissions whose checks do (almost) no work, so what is measured is
the fixed cost of a grading: the grading process's start and collection, the worker's start
(its TensorFlow import), the requests' round trips and the run's end.

* ``stub``        the week's stub: every request raises NotImplementedError at once;
* ``solution``    the reference (its checks' own work included, for scale);
* ``import fails`` a module that raises at import (one worker start, then nothing);
* ``unparsable``  a module with a syntax error (judged without a grading process).

Each kind is graded ``--runs`` times cold (a fresh ``python -m pytest`` each time) and warm
(forked from a :class:`course.grading.template.Template` started once, outside the timing);
the table shows the median seconds and the warm run's saving.

Usage: python benchmarks/grading_overhead.py [WEEK] [--runs N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from course.config import Layout, Week
from course.grading.runner import grade
from course.grading.template import warm_grading

ROOT = Path(__file__).resolve().parent.parent


def submissions(week: Week, folder: Path) -> dict[str, Path]:
    """The submissions to grade, by kind."""
    failing = folder / f"{week.stem}_import_fails.py"
    failing.write_text('raise RuntimeError("broken at import")\n', encoding="utf-8")
    unparsable = folder / f"{week.stem}_unparsable.py"
    unparsable.write_text("def broken(:\n", encoding="utf-8")
    return {
        "stub": week.assignment,
        "solution": week.solution,
        "import fails": failing,
        "unparsable": unparsable,
    }


def time_gradings(week: Week, submission: Path, runs: int) -> list[float]:
    seconds = []
    for seed in range(runs):
        begin = time.monotonic()
        grade(graders=week.graders, submission=submission, week=week.label, seed=seed)
        seconds.append(time.monotonic() - begin)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("week", nargs="?", default="1")
    parser.add_argument("--runs", type=int, default=3, help="gradings per kind and mode")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    week = Layout(ROOT).week(args.week)
    rows: list[dict[str, object]] = []
    print(f"{week.stem}, {args.runs} gradings each, medians (Python {platform.python_version()})")
    print(f"{'submission':14} {'cold s':>8} {'warm s':>8} {'saved s':>8}")
    with tempfile.TemporaryDirectory(prefix="course-overhead-") as scratch:
        kinds = submissions(week, Path(scratch))
        cold = {kind: time_gradings(week, path, args.runs) for kind, path in kinds.items()}
        begin = time.monotonic()
        with warm_grading():
            started = time.monotonic() - begin
            warm = {kind: time_gradings(week, path, args.runs) for kind, path in kinds.items()}
    for kind in kinds:
        cold_median, warm_median = statistics.median(cold[kind]), statistics.median(warm[kind])
        print(f"{kind:14} {cold_median:8.2f} {warm_median:8.2f} {cold_median - warm_median:8.2f}")
        rows.append({"kind": kind, "cold": cold[kind], "warm": warm[kind]})
    print(f"(the template itself took {started:.1f} s to start, once per batch)")
    if args.json:
        document = {"machine": platform.platform(), "week": week.stem, "rows": rows}
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
