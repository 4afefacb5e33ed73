"""What it costs to start a sandboxed worker: cold (a fresh sandbox and interpreter that
imports TensorFlow) against warm (a fork of a zygote that imported it once).

For each way, starts ``--runs`` workers of a submission whose one function returns at once,
and times each from the start to its first answer; prints the medians, the zygote's own
start (paid once per batch), and the alternatives considered.

Usage: python benchmarks/worker_start.py [--runs N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from course.sandbox import Worker
from course.sandbox.bubblewrap import BubblewrapLauncher
from course.sandbox.launchers import Launcher
from course.sandbox.zygote import Zygote, ZygoteLauncher

SUBMISSION = "import tensorflow as tf\n\ndef ready():\n    return tf.__version__\n"


def first_answers(launcher: Launcher, submission: Path, folder: Path, runs: int) -> list[float]:
    seconds = []
    for run in range(runs):
        begin = time.monotonic()
        with Worker(submission, workdir=folder / f"run{run}", launcher=launcher) as worker:
            outcome = worker.request("call", {"function": "ready"}, seed=0, timeout=300)
            if outcome.status != "ok":
                raise SystemExit(f"the worker did not answer: {outcome}")
        seconds.append(time.monotonic() - begin)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="worker-start-"))
    submission = folder / "submission.py"
    submission.write_text(SUBMISSION, encoding="utf-8")
    cold_launcher = BubblewrapLauncher()
    print(f"{args.runs} cold workers...", flush=True)
    cold = first_answers(cold_launcher, submission, folder / "cold", args.runs)
    begin = time.monotonic()
    zygote = Zygote(cold_launcher)
    try:
        warm_launcher = ZygoteLauncher(zygote)
        first_answers(warm_launcher, submission, folder / "first", 1)  # waits for its imports
        ready = time.monotonic() - begin
        print(f"{args.runs} warm workers...", flush=True)
        warm = first_answers(warm_launcher, submission, folder / "warm", args.runs)
    finally:
        zygote.close()
    rows = {
        "cold": statistics.median(cold),
        "warm": statistics.median(warm),
        "zygote_ready": ready,
    }
    print(f"\nworker start to first answer, medians of {args.runs} (load {os.getloadavg()[0]:.1f})")
    print(f"cold (bubblewrap, fresh interpreter, TensorFlow import)  {rows['cold']:7.2f} s")
    print(f"warm (fork of a zygote, a sandbox of its own)             {rows['warm']:7.2f} s")
    print(f"the zygote's own start, once per batch                    {ready:7.2f} s")
    print(
        "\nAlternatives: one worker reused across submissions (no start at all) leaks one\n"
        "student's state into the next; a zygote outside the sandbox holding root to rebuild\n"
        "bubblewrap's sandbox at each fork duplicates bubblewrap and needs root; a zygote\n"
        "inside bubblewrap that forks into nested namespaces (chosen) keeps bubblewrap's\n"
        "sandbox around every fork and a fresh one per submission, as root or not."
    )
    if args.json:
        document: dict[str, object] = {
            "machine": platform.platform(),
            "cores": os.cpu_count(),
            **rows,
            "cold_runs": cold,
            "warm_runs": warm,
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
