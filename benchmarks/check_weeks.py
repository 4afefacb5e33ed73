"""How long `course check` takes on each week's reference solution, and where the time goes.

For every week (or those named), runs the same grading as `course check WEEK --submission
solutions/WEEK.py` and reports:

* total   - wall time of the whole grading run, as the user waits for it;
* checks  - time spent inside the checks themselves (the worker training and predicting,
            the grader evaluating): the work any grading tool has to do;
* overhead - the difference: process start-up, imports (TensorFlow in the grading process
            and the worker), pytest collection, result transfer;
* startup - from the start to the grading process's first event (pytest collected the
            graders), against the runner's watchdog allowance for it;
* pause   - the longest the grading process went without an event while no request to the
            submission was in flight (a grader's own work), against the watchdog's allowance.

Usage: python benchmarks/check_weeks.py [WEEK ...] [--repeat N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from course.config import Layout
from course.grading import runner
from course.grading.runner import grade

ROOT = Path(__file__).resolve().parent.parent


class Pauses:
    """The progress events' timing: the first event, and the longest pause between two
    events while no request to the submission was in flight."""

    def __init__(self) -> None:
        self.begin = self.last = time.monotonic()
        self.startup: float | None = None
        self.longest = 0.0
        self.in_flight = False

    def __call__(self, event: dict[str, Any]) -> None:
        now = time.monotonic()
        if self.startup is None:
            self.startup = now - self.begin
        elif not self.in_flight:
            self.longest = max(self.longest, now - self.last)
        self.in_flight = event.get("event") == "request"
        self.last = now


def measure(weeks: list[str], repeat: int) -> list[dict[str, object]]:
    layout = Layout(ROOT)
    chosen = [layout.week(spec) for spec in weeks] if weeks else list(layout.weeks)
    rows: list[dict[str, object]] = []
    for week in chosen:
        totals, inside, startups, pauses = [], [], [], []
        score = ""
        for _ in range(repeat):
            begin = time.monotonic()
            timing = Pauses()
            report = grade(
                graders=week.graders, submission=week.solution, week=week.label, on_event=timing
            )
            totals.append(time.monotonic() - begin)
            startups.append(timing.startup or 0.0)
            pauses.append(timing.longest)
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
                "startup_s": round(max(startups), 2),
                "longest_pause_s": round(max(pauses), 2),
                "runs": repeat,
            }
        )
        print(
            f"{week.stem:28} {score:>7}  total {total:6.1f} s  checks {checks:6.1f} s  "
            f"overhead {total - checks:5.1f} s  startup {max(startups):4.1f} s  "
            f"pause {max(pauses):4.1f} s",
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
    print(
        f"watchdog allowances: startup {runner.STARTUP_ALLOWANCE:g} s, "
        f"pause {runner.GRADER_ALLOWANCE:g} s (x COURSE_TIME_LIMIT_SCALE)"
    )
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
