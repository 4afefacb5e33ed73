"""What the sandbox costs: worker start-up, and each week's `course check` with and without it.

Two measurements, on this machine:

* start - the time from asking for a worker to its first answer, for a submission that
          imports nothing (so TensorFlow's import does not drown the difference): the local
          launcher (a plain child process) against the bubblewrap sandbox (namespaces, a
          cgroup, the seccomp filter, a readable copy of the submission), median of
          ``--starts`` runs each. The sandbox's share is the difference.
* weeks - `course check WEEK --submission solutions/WEEK.py` on every week (or those named),
          once in the sandbox and once with ``COURSE_SANDBOX=local``: wall time, score and
          the worker's peak memory (from the sandbox's cgroup).

Usage: python benchmarks/sandbox_cost.py [WEEK ...] [--starts N] [--skip-weeks] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from course.config import Layout
from course.grading.runner import grade
from course.sandbox import LocalLauncher, Worker
from course.sandbox.bubblewrap import BubblewrapLauncher
from course.sandbox.launchers import Launcher

ROOT = Path(__file__).resolve().parent.parent


def start_seconds(launcher: Launcher, *, starts: int) -> list[float]:
    """How long a worker takes to start and answer one request, ``starts`` times."""
    times = []
    with tempfile.TemporaryDirectory(prefix="sandbox-cost-") as folder:
        submission = Path(folder) / "empty.py"
        submission.write_text("def answer():\n    return 42\n")
        for index in range(starts):
            worker = Worker(
                submission,
                workdir=Path(folder) / f"worker{index}",
                launcher=launcher,
                tensorflow=False,
            )
            begin = time.monotonic()
            outcome = worker.request("call", {"function": "answer"}, seed=0, timeout=60)
            times.append(time.monotonic() - begin)
            worker.close()
            if outcome.status != "ok" or outcome.value != 42:
                raise RuntimeError(f"the worker did not answer: {outcome}")
    return times


def measure_starts(starts: int) -> dict[str, Any]:
    local = start_seconds(LocalLauncher(), starts=starts)
    sandboxed = start_seconds(BubblewrapLauncher(), starts=starts)
    row = {
        "local_s": round(statistics.median(local), 3),
        "sandbox_s": round(statistics.median(sandboxed), 3),
        "added_s": round(statistics.median(sandboxed) - statistics.median(local), 3),
        "runs": starts,
    }
    print(
        f"worker start: local {row['local_s']:.3f} s, sandbox {row['sandbox_s']:.3f} s, "
        f"added {row['added_s']:+.3f} s (median of {starts})",
        flush=True,
    )
    return row


def _with_environment(name: str, value: str | None, action: Callable[[], Any]) -> Any:
    before = os.environ.get(name)
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
    try:
        return action()
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def measure_weeks(weeks: list[str]) -> list[dict[str, Any]]:
    layout = Layout(ROOT)
    chosen = [layout.week(spec) for spec in weeks] if weeks else list(layout.weeks)
    rows = []
    for week in chosen:
        row: dict[str, Any] = {"week": week.stem}
        for label, setting in (("sandbox", None), ("local", "local")):
            begin = time.monotonic()
            report = _with_environment(
                "COURSE_SANDBOX",
                setting,
                partial(grade, graders=week.graders, submission=week.solution, week=week.label),
            )
            row[f"{label}_s"] = round(time.monotonic() - begin, 2)
            row[f"{label}_score"] = f"{report.score:g}/{report.max_score:g}"
            if label == "sandbox":
                row["launcher"] = report.launcher
                row["peak_memory_mib"] = (report.peak_memory or 0) >> 20
        row["added_s"] = round(row["sandbox_s"] - row["local_s"], 2)
        rows.append(row)
        print(
            f"{week.stem:28} sandbox {row['sandbox_s']:6.1f} s ({row['sandbox_score']})  "
            f"local {row['local_s']:6.1f} s ({row['local_score']})  "
            f"added {row['added_s']:+5.1f} s  peak {row['peak_memory_mib']:5d} MiB",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weeks", nargs="*", help="weeks to measure (default: all)")
    parser.add_argument("--starts", type=int, default=10, help="worker starts per launcher")
    parser.add_argument("--skip-weeks", action="store_true", help="measure start-up only")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()
    document: dict[str, Any] = {
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "start": measure_starts(options.starts),
    }
    if not options.skip_weeks:
        document["weeks"] = measure_weeks(options.weeks)
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
