"""How long `course check` takes on each week's reference solution, and where the time goes.

For every week (or those named), runs the same grading as `course check WEEK --submission
solutions/WEEK.py` and reports:

* total   - wall time of the whole grading run, as the user waits for it;
* checks  - time spent inside the checks themselves (the worker training and predicting,
            the grader evaluating): the work any grading tool has to do;
* overhead - the difference: process start-up, imports (TensorFlow in the grading process
            and the worker), pytest collection, result transfer.

Usage: python benchmarks/check_weeks.py [WEEK ...] [--repeat N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from course.config import Layout
from course.grading.runner import grade

ROOT = Path(__file__).resolve().parent.parent


def measure(weeks: list[str], repeat: int) -> list[dict[str, object]]:
    layout = Layout(ROOT)
    chosen = [layout.week(spec) for spec in weeks] if weeks else list(layout.weeks)
    rows: list[dict[str, object]] = []
    for week in chosen:
        totals, inside = [], []
        score = ""
        for _ in range(repeat):
            begin = time.monotonic()
            report = grade(graders=week.graders, submission=week.solution, week=week.label)
            totals.append(time.monotonic() - begin)
            inside.append(sum(check.seconds for check in report.checks))
            score = f"{report.score:g}/{report.max_score:g}"
        total, checks = statistics.median(totals), statistics.median(inside)
        rows.append(
            {
                "week": week.stem,
                "score": score,
                "total_s": round(total, 2),
                "checks_s": round(checks, 2),
                "overhead_s": round(total - checks, 2),
                "runs": repeat,
            }
        )
        print(
            f"{week.stem:28} {score:>7}  total {total:6.1f} s  checks {checks:6.1f} s  "
            f"overhead {total - checks:5.1f} s",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weeks", nargs="*", help="weeks to measure (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per week (median)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()
    rows = measure(options.weeks, options.repeat)
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "machine": platform.platform(),
            "cpus": __import__("os").cpu_count(),
            "weeks": rows,
        }
        options.json.write_text(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
