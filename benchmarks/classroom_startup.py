"""What a student waits for: the wall time of ``course fetch``, ``course submit``,
``course --help`` and ``course list``, each a fresh process, as a student runs them.

A one-week toy course (the classroom tests' own: a marked solution, its generated stub, two
checks) is initialized and released once in a temporary folder, outside the timing. Then each
command runs ``--runs`` times as ``python -c "from course.cli import main; main()" ...``
(fetch into a fresh folder each time; submit hands in the fetched stub) and the table shows
the median, fastest and slowest seconds. A last run of each under ``python -X importtime``
counts the modules it imported and names the heavy packages among them (nbgrader, traitlets,
SQLAlchemy, TensorFlow, NumPy, pytest, rich, ...), which is where start-up time goes.

Usage: python benchmarks/classroom_startup.py [--runs N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Top-level packages a student's fetch or submit has no use for.
HEAVY = (
    "nbgrader",
    "traitlets",
    "jupyter_client",
    "nbformat",
    "nbconvert",
    "jsonschema",
    "jinja2",
    "jupytext",
    "rapidfuzz",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "tensorflow",
    "keras",
    "numpy",
    "pytest",
    "rich",
    "dask",
    "distributed",
    "tornado",
    "zmq",
)

COURSE = ("-c", "from course.cli import main; main()")


def make_course(base: Path) -> dict[str, str]:
    """A released toy course under ``base``; the environment a student's commands run in."""
    sys.path.insert(0, str(ROOT))  # the toy course's files live in tests/
    from course.classroom import workflow
    from course.classroom.generate import generate
    from course.classroom.settings import CourseSettings
    from course.config import Layout
    from tests.classroom.conftest import TOY_SOLUTION
    from tests.conftest import TOY_GRADER

    files = base / "toy-course"
    for folder in ("assignments", "solutions", "graders/week01_toy"):
        (files / folder).mkdir(parents=True)
    (files / "solutions/week01_toy.py").write_text(TOY_SOLUTION, encoding="utf-8")
    (files / "graders/week01_toy/test_toy.py").write_text(TOY_GRADER, encoding="utf-8")
    (files / "graders/week01_toy/worker.toml").write_text("tensorflow = false\n", encoding="utf-8")
    layout = Layout(files)
    generate(layout.weeks)
    settings: CourseSettings = workflow.init(
        root=base / "course",
        course_id="tf101",
        database="sqlite:///gradebook.db",
        exchange=str(base / "exchange"),
    )
    workflow.release(settings=settings, week=layout.weeks[0])
    return dict(
        os.environ,
        COURSE_ROOT=str(files),
        COURSE_EXCHANGE=str(settings.exchange),
        COURSE_ID=settings.course_id,
        COURSE_SUBMIT_CACHE=str(base / "cache"),
    )


def run_course(argv: list[str], env: dict[str, str], *, flags: tuple[str, ...] = ()) -> str:
    """Run ``course ARGV`` as a fresh process; its stderr (it must succeed)."""
    done = subprocess.run(
        [sys.executable, *flags, *COURSE, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise SystemExit(f"course {' '.join(argv)} failed:\n{done.stdout}{done.stderr}")
    return done.stderr


def imported(stderr: str) -> list[str]:
    """The module names in ``python -X importtime``'s report."""
    names = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":  # the header line
                names.append(name)
    return names


def commands(base: Path) -> dict[str, Callable[[int], list[str]]]:
    """Each command's argument list for run ``n`` (fetch: a fresh folder each time)."""
    student = ["--student", "ada"]

    def fetch(n: int) -> list[str]:
        return ["fetch", "1", *student, "--dir", str(base / f"fetched-{n}")]

    def submit(n: int) -> list[str]:
        return ["submit", "1", *student, "--dir", str(base / "ada")]

    return {
        "course --help": lambda n: ["--help"],
        "course list": lambda n: ["list"],
        "course fetch": fetch,
        "course submit": submit,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="course-startup-") as scratch:
        base = Path(scratch)
        env = make_course(base)
        run_course(["fetch", "1", "--student", "ada", "--dir", str(base / "ada")], env)
        print(
            f"{args.runs} runs each, seconds of wall time (Python {platform.python_version()}, "
            f"{os.cpu_count()} cores)"
        )
        print(f"{'command':15} {'median':>7} {'min':>7} {'max':>7} {'modules':>8}  heavy imports")
        for label, arguments in commands(base).items():
            seconds = []
            for n in range(args.runs):
                begin = time.monotonic()
                run_course(arguments(n), env)
                seconds.append(time.monotonic() - begin)
            names = imported(run_course(arguments(args.runs), env, flags=("-X", "importtime")))
            heavy = sorted({name.split(".")[0] for name in names} & set(HEAVY))
            print(
                f"{label:15} {statistics.median(seconds):7.2f} {min(seconds):7.2f} "
                f"{max(seconds):7.2f} {len(names):8}  {', '.join(heavy) or '-'}"
            )
            rows.append(
                {"command": label, "seconds": seconds, "modules": len(names), "heavy": heavy}
            )
    if args.json:
        document = {"machine": platform.platform(), "cores": os.cpu_count(), "rows": rows}
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
