"""Run one week's graders on one submission in a separate grading process.

The grading process is ``python -m pytest`` with our plugin; it imports TensorFlow when the
graders need it and starts the submission's worker. This process only reads progress events
and the results file, so it stays light (the CLI never imports TensorFlow).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from course.grading.results import CheckResult, GradeReport

GRADERS_INI = Path(__file__).with_name("graders.ini")
EventHandler = Callable[[dict[str, Any]], None]


class GradingFailed(RuntimeError):
    """The grading process itself failed: no results came back."""


def grade(
    *,
    graders: Path,
    submission: Path,
    week: str,
    seed: int = 0,
    on_event: EventHandler | None = None,
    timeout: float | None = None,
    import_timeout: float = 120.0,
    only: Sequence[str] = (),
    python: str = sys.executable,
) -> GradeReport:
    """Run every check in ``graders`` on ``submission``; report one result per check.

    ``on_event`` receives the plugin's progress events as they happen (``collected``,
    ``started``, ``check``, ``finished``). ``only`` restricts the run to some grader files
    (names inside ``graders``). Raises :class:`GradingFailed` when the grading
    process crashes or times out before writing results.
    """
    begin = time.monotonic()
    graders = graders.resolve()
    with tempfile.TemporaryDirectory(prefix="course-grade-") as scratch:
        results_path = Path(scratch) / "results.json"
        log_path = Path(scratch) / "pytest.log"
        events_read, events_write = os.pipe()
        argv = [
            python,
            "-m",
            "pytest",
            *([str(graders / name) for name in only] or [str(graders)]),
            "-c",
            str(GRADERS_INI),
            "--rootdir",
            str(graders),
            "--submission",
            str(submission.resolve()),
            "--course-results",
            str(results_path),
            "--course-events-fd",
            str(events_write),
            "--course-seed",
            str(seed),
            "--course-workdir",
            str(Path(scratch) / "worker"),
            "--course-import-timeout",
            str(import_timeout),
        ]
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", TF_CPP_MIN_LOG_LEVEL="2")
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(events_write,),
                env=env,
                cwd=scratch,
            )
        os.close(events_write)
        try:
            _pump_events(events_read, on_event)
            process.wait(timeout=_remaining(begin, timeout))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise GradingFailed(f"grading did not finish within {timeout} s") from None
        finally:
            os.close(events_read)
        if not results_path.exists():
            output = log_path.read_text(errors="replace")[-3000:]
            raise GradingFailed(
                f"the grading process ended (exit code {process.returncode}) without "
                f"results. Its output ended with:\n{output}"
            )
        document = json.loads(results_path.read_text())
    return GradeReport(
        week=week,
        submission=str(submission),
        checks=tuple(CheckResult.from_dict(check) for check in document["checks"]),
        seconds=time.monotonic() - begin,
        infrastructure_errors=tuple(document["infrastructure_errors"]),
    )


def _pump_events(fd: int, on_event: EventHandler | None) -> None:
    with os.fdopen(os.dup(fd), "r", encoding="utf-8") as stream:
        for line in stream:
            if on_event is None:
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            on_event(event)


def _remaining(begin: float, timeout: float | None) -> float | None:
    return None if timeout is None else max(0.0, timeout - (time.monotonic() - begin))
