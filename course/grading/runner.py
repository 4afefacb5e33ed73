"""Run one week's graders on one submission in a separate grading process.

The grading process is ``python -m pytest`` with our plugin; it imports TensorFlow when the
graders need it and starts the submission's worker. This process only reads progress events
and the results file, so it stays light (the CLI never imports TensorFlow).

A submission cannot hang a run: each request to it has a time limit, enforced by the worker.
The grading process itself can (a grader with an endless loop, a deadlock), so a
:class:`Watchdog` reads the progress events and stops the grading process when it has shown
no progress for longer than the step it is in may take: pytest's start and the graders'
collection, a grader's own work between requests, a request's own limit.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from course.grading.declared import unparsable_report
from course.grading.results import GradeReport
from course.grading.template import ForkedRun, TemplateFailed
from course.grading.template import current as current_template
from course.sandbox.cgroups import CgroupUnavailable, ControlGroup
from course.sandbox.launchers import child_setup

GRADERS_INI = Path(__file__).with_name("graders.ini")
EventHandler = Callable[[dict[str, Any]], None]

#: Seconds the grading process may take to start pytest and collect the graders (they import
#: TensorFlow) before its first event.
STARTUP_ALLOWANCE = 300.0
#: Seconds a grader's own work may take between two events (a check's start, a request to
#: the submission, its reply, the check's end), beyond what the request in flight may take.
GRADER_ALLOWANCE = 120.0


#: Memory of the grading process and everything it starts (its sandboxed worker included,
#: where cgroups nest): a forged model that slips past the rebuild's budgets stops here, not
#: on the machine.
GRADER_MEMORY_BYTES = 12 << 30


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
    require_isolation: bool = False,
) -> GradeReport:
    """Run every check in ``graders`` on ``submission``; report one result per check.

    The submission runs in the sandbox (:func:`course.sandbox.default_launcher`). With
    ``require_isolation``, a machine where a protection is missing refuses to grade
    (:class:`GradingFailed`) instead of grading with what it has.

    ``on_event`` receives the plugin's progress events as they happen (``collected``,
    ``started``, ``check``, ``finished``). ``only`` restricts the run to some grader files
    (names inside ``graders``). Raises :class:`GradingFailed` when the grading
    process crashes or times out before writing results.

    A submission that does not parse is judged here, in milliseconds, with no grading
    process and no worker (:func:`course.grading.declared.unparsable_report`).
    """
    begin = time.monotonic()
    graders = graders.resolve()
    unparsable = unparsable_report(
        graders=graders, submission=submission, week=week, seed=seed, only=only
    )
    if unparsable is not None:
        _replay(unparsable, on_event)
        return unparsable
    with tempfile.TemporaryDirectory(prefix="course-grade-") as scratch:
        results_path = Path(scratch) / "results.json"
        log_path = Path(scratch) / "pytest.log"
        events_read, events_write = os.pipe()
        template = current_template(python)
        arguments = [
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
            "{fd:events}",
            "--course-seed",
            str(seed),
            "--course-workdir",
            str(Path(scratch) / "worker"),
            "--course-import-timeout",
            str(import_timeout),
            "--course-isolation",
            "required" if require_isolation else "best-effort",
        ]
        # No third-party pytest plugin is loaded by its entry point: the graders use none,
        # and importing them (anyio's, hypothesis's...) cost each grading half a second.
        env = dict(
            os.environ,
            PYTHONDONTWRITEBYTECODE="1",
            TF_CPP_MIN_LOG_LEVEL="2",
            PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        )
        group = _grader_group()
        process: subprocess.Popen[bytes] | ForkedRun | None = None
        with open(log_path, "wb") as log:
            if template is not None:
                try:
                    process = template.run(
                        arguments,
                        env=env,
                        cwd=Path(scratch),
                        log_fd=log.fileno(),
                        pass_fds={"events": events_write},
                        cgroup_procs=[str(f / "cgroup.procs") for f in group.folders()]
                        if group is not None
                        else (),
                    )
                except TemplateFailed:  # later gradings start cold at once
                    template.failed = True
            if process is None:
                cold = [str(events_write) if a == "{fd:events}" else a for a in arguments]
                process = subprocess.Popen(
                    [python, "-m", "pytest", *cold],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    pass_fds=(events_write,),
                    env=env,
                    cwd=scratch,
                    # Join the cgroup; die with this process (no limits of the worker's).
                    preexec_fn=child_setup(os.getpid(), None, [], group),
                )
        os.close(events_write)
        watchdog = Watchdog(scale=_time_limit_scale())
        try:
            overdue = _pump_events(events_read, on_event, watchdog, begin=begin, timeout=timeout)
            if overdue is None:
                try:
                    process.wait(timeout=watchdog.seconds_left())
                except subprocess.TimeoutExpired:
                    overdue = watchdog.overdue_message()
        finally:
            os.close(events_read)
            if process.poll() is None:
                process.kill()
            process.wait()
            out_of_memory = group is not None and group.oom_killed()
            if group is not None:
                group.remove()
        if out_of_memory and not results_path.exists():
            raise GradingFailed(
                f"the grading process used more than {GRADER_MEMORY_BYTES >> 30} GiB of memory "
                "and was stopped (a model too large to evaluate?). The submission was not "
                "graded; report it to the course staff."
            )
        if overdue is not None and not results_path.exists():
            output = log_path.read_text(errors="replace")[-3000:]
            raise GradingFailed(
                f"{overdue} The grading process was stopped. This is a problem with the "
                "graders or this machine, not with the submission: report it to the course "
                "staff (on a slow machine, COURSE_TIME_LIMIT_SCALE=2 doubles every limit). "
                f"Its output ended with:\n{output}"
            )
        if not results_path.exists():
            output = log_path.read_text(errors="replace")[-3000:]
            raise GradingFailed(
                f"the grading process ended (exit code {process.returncode}) without "
                f"results. Its output ended with:\n{output}"
            )
        document = json.loads(results_path.read_text())
    return GradeReport.from_dict(
        {**document, "week": week, "submission": str(submission), "seed": seed},
        seconds=time.monotonic() - begin,
    )


def _replay(report: GradeReport, on_event: EventHandler | None) -> None:
    """The events a grading process would have sent for ``report``, for progress displays."""
    if on_event is None:
        return
    on_event(
        {
            "event": "collected",
            "checks": [
                {"id": check.id, "name": check.name, "max_points": check.max_points}
                for check in report.checks
            ],
        }
    )
    for check in report.checks:
        on_event({"event": "started", "id": check.id, "name": check.name})
        on_event({"event": "check", **check.to_dict()})
    on_event({"event": "finished"})


class Watchdog:
    """When a grading process is overdue, judged from the progress events it has sent.

    Each event sets a new deadline: :data:`GRADER_ALLOWANCE` from now, plus the longest the
    request in flight may take after a ``request`` event; before the first event the
    deadline is :data:`STARTUP_ALLOWANCE`. Every allowance is multiplied by ``scale``
    (``COURSE_TIME_LIMIT_SCALE``, like the checks' own limits).
    """

    def __init__(self, *, scale: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.scale = scale
        self._clock = clock
        self._allowed = STARTUP_ALLOWANCE * scale
        self._since = clock()
        self._waiting_for = "pytest to start and collect the graders"
        self._check = ""
        self.total: int | None = None
        self.done = 0

    @property
    def deadline(self) -> float:
        """The clock's time by which the next event must arrive."""
        return self._since + self._allowed

    def seconds_left(self) -> float:
        return max(0.0, self.deadline - self._clock())

    def observe(self, event: dict[str, Any]) -> None:
        """Move the deadline on: ``event`` shows the grading process is making progress."""
        kind = event.get("event")
        self._since = self._clock()
        self._allowed = GRADER_ALLOWANCE * self.scale
        if kind == "collected":
            self.total = len(event.get("checks") or ())
            self._waiting_for = "the first check to start"
        elif kind == "started":
            self._check = str(event.get("name", ""))
            self._waiting_for = f"the grader of the check {self._check!r}"
        elif kind == "request":
            seconds = event.get("seconds")
            self._allowed += float(seconds) if isinstance(seconds, (int, float)) else 0.0
            self._waiting_for = (
                f"the submission to answer {event.get('probe')!r} in the check {self._check!r}"
            )
        elif kind == "replied":
            self._waiting_for = f"the grader of the check {self._check!r}"
        elif kind == "check":
            self.done += 1
            self._waiting_for = "the next check to start"
        elif kind == "finished":
            self._waiting_for = "the grading process to exit"

    def overdue_message(self) -> str:
        """What the grading process was doing when it stopped showing progress."""
        progress = f"{self.done} of {self.total}" if self.total is not None else "no"
        return (
            f"Grading made no progress for {self._allowed:g} s while waiting for "
            f"{self._waiting_for} ({progress} checks done)."
        )


def _pump_events(
    fd: int,
    on_event: EventHandler | None,
    watchdog: Watchdog,
    *,
    begin: float,
    timeout: float | None,
) -> str | None:
    """Read events until the grading process closes the pipe (``None``) or is overdue (a
    message saying what it was doing)."""
    hard_deadline = None if timeout is None else begin + timeout
    pending = b""
    while True:
        deadline = (
            watchdog.deadline if hard_deadline is None else min(watchdog.deadline, hard_deadline)
        )
        wait = deadline - time.monotonic()
        if wait <= 0:
            if hard_deadline is not None and hard_deadline <= watchdog.deadline:
                return f"Grading did not finish within {timeout:g} s."
            return watchdog.overdue_message()
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return None
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue
            if not isinstance(event, dict):
                continue
            watchdog.observe(event)
            if on_event is not None:
                on_event(event)


def _time_limit_scale() -> float:
    """``$COURSE_TIME_LIMIT_SCALE`` as a number; the plugin reports a malformed value."""
    try:
        scale = float(os.environ.get("COURSE_TIME_LIMIT_SCALE", "1"))
    except ValueError:
        return 1.0
    return scale if scale > 0 else 1.0


def _grader_group() -> ControlGroup | None:
    """A control group limiting the grading process's memory; ``None`` where none can be
    made (the machine's own limits apply then)."""
    try:
        return ControlGroup.create(memory_bytes=GRADER_MEMORY_BYTES, tasks=8_192)
    except CgroupUnavailable:
        return None
