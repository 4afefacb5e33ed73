"""Our pytest plugin: graders are ordinary pytest files, checks are tests.

It adds the markers ``points(n)``, ``visibility(...)`` and ``time_limit(seconds)``, the
session-wide ``submission`` fixture (a :class:`~course.grading.submission.Submission` backed
by one worker process), a status and a student-facing message for every check, progress
events on a file descriptor, and a JSON results file.

The events are JSON lines: ``collected`` (every check's id, name and points), ``started``
and ``check`` (its result) per check, ``request`` (a probe sent to the worker, with the
longest it can take) and ``replied`` around each request, and ``finished``. The runner
watches them to stop a grading process that has hung.

Every check declares its points and its visibility, on the check or for its whole file
(``pytestmark = pytest.mark.visibility("visible")``); a check without them, or with a
visibility other than ``visible``, ``hidden``, ``after_due_date`` or ``after_published``, is
an infrastructure error, not a silent default. A *visible* check is public: a student may run
it and read its message at any time. A *hidden* check judges with what the grader keeps to
itself (a threshold, held-out data): its points count at once, and its message reaches the
student's feedback once their due date has passed. The other two are Gradescope's own.

Loaded with ``-p course.grading.plugin`` by :mod:`course.grading.runner`; grader authors never
import it.

A week's grader folder (pytest's rootdir, which the runner sets to it) may hold a
``worker.toml`` that sets up the worker process before the submission is imported; the
worker starts before any grader file is collected, so a ``conftest.py`` would be too late.
Its settings::

    logical_cpus = 2   # TensorFlow sees 2 logical CPU devices (tf.distribute); GPUs untouched
    tensorflow = false # the worker does not import TensorFlow before the submission (a course
                       # without TensorFlow); by default it does, and watches Keras's classes
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import tomllib
from collections.abc import Generator
from pathlib import Path
from typing import IO, Any, TypedDict

import pytest

from course.grading import notes
from course.grading.errors import CheckFailed, GraderError, SubmissionError
from course.grading.results import (
    STATUSES,
    VISIBILITIES,
    CheckResult,
    Status,
    Visibility,
    check_title,
)
from course.grading.submission import DEFAULT_TIME_LIMIT, Submission
from course.sandbox import Worker

#: The optional file in a grader folder that sets up the week's worker process.
WORKER_SETTINGS = "worker.toml"


class WorkerSettings(TypedDict, total=False):
    """What ``worker.toml`` may set: keyword arguments of :class:`~course.sandbox.Worker`."""

    logical_cpus: int
    tensorflow: bool


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("course", "course grading")
    group.addoption("--submission", help="the .py file to grade")
    group.addoption("--course-results", help="write the check results as JSON here")
    group.addoption("--course-events-fd", type=int, help="write progress events (JSON lines)")
    group.addoption("--course-seed", type=int, default=0, help="seed for every probe")
    group.addoption("--course-workdir", help="folder for the worker's files")
    group.addoption(
        "--course-import-timeout",
        type=float,
        default=120.0,
        help="seconds the submission may take to import (TensorFlow included)",
    )
    group.addoption(
        "--course-isolation",
        choices=("required", "best-effort"),
        default="best-effort",
        help="required: refuse to grade when a sandbox protection is missing",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): what the check is worth")
    config.addinivalue_line("markers", "visibility(v): visible, hidden, after_due_date, ...")
    config.addinivalue_line("markers", "time_limit(seconds): per request to the submission")
    fd = config.getoption("course_events_fd")
    results = config.getoption("course_results")
    config.pluginmanager.register(
        GradingSession(
            config,
            events=os.fdopen(fd, "w", buffering=1) if fd is not None else None,
            results_path=Path(results) if results else None,
        ),
        "course-grading-session",
    )


class GradingSession:
    """The plugin's state and hooks for one grading run."""

    def __init__(
        self, config: pytest.Config, *, events: IO[str] | None, results_path: Path | None
    ) -> None:
        self.config = config
        self.events = events
        self.results_path = results_path
        self.checks: list[CheckResult] = []
        self.infrastructure_errors: list[str] = []
        self.time_limit = DEFAULT_TIME_LIMIT
        self.started: dict[str, float] = {}
        self.outcomes: dict[str, tuple[Status, str, bool]] = {}
        self.client: Submission | None = None
        self.worker: Worker | None = None
        path = config.getoption("submission")
        if path:
            workdir = config.getoption("course_workdir") or tempfile.mkdtemp(prefix="course-")
            self.worker = Worker(
                Path(path),
                workdir=Path(workdir),
                import_timeout=config.getoption("course_import_timeout"),
                **worker_settings(config.rootpath),
            )
            if config.getoption("course_isolation") == "required":
                missing = {
                    name: protection.detail
                    for name, protection in self.worker.launcher.protections().items()
                    if not protection.active
                }
                if missing:
                    raise pytest.UsageError(
                        "refusing to grade with reduced isolation: "
                        + "; ".join(f"{name}: {detail}" for name, detail in missing.items())
                    )

    def emit(self, **event: Any) -> None:
        if self.events is not None:
            self.events.write(json.dumps(event) + "\n")
            self.events.flush()

    # -- session ------------------------------------------------------------------------

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        # Start the worker (and its TensorFlow import) while pytest collects the graders
        # and they import their own dependencies.
        if self.worker is not None:
            self.worker.start()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.infrastructure_errors.append(
                f"could not load grader {report.nodeid}: {report.longreprtext[-1500:]}"
            )

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            _brief_failures(item)
            if item.get_closest_marker("points") is None:
                self.infrastructure_errors.append(f"{item.nodeid} has no points marker")
            visibility = item.get_closest_marker("visibility")
            if visibility is None:
                self.infrastructure_errors.append(
                    f"{item.nodeid} has no visibility marker: mark the check or its file with "
                    'pytest.mark.visibility("visible") or ("hidden")'
                )
            elif not visibility.args or visibility.args[0] not in VISIBILITIES:
                value = visibility.args[0] if visibility.args else "nothing"
                self.infrastructure_errors.append(
                    f"{item.nodeid} has visibility {value!r}: use one of "
                    + ", ".join(repr(known) for known in VISIBILITIES)
                )
        self.emit(
            event="collected",
            checks=[
                {"id": item.nodeid, "name": check_name(item), "max_points": max_points(item)}
                for item in items
            ],
        )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.worker is not None:
            self.worker.close()
        if self.results_path is not None:
            launcher = self.worker.launcher if self.worker is not None else None
            document = {
                "checks": [check.to_dict() for check in self.checks],
                "infrastructure_errors": self.infrastructure_errors,
                "integrity": list(self.worker.integrity) if self.worker is not None else [],
                "launcher": launcher.name if launcher is not None else "",
                "peak_memory": self.worker.peak_memory if self.worker is not None else None,
                "missing_protections": [
                    name
                    for name, protection in (launcher.protections() if launcher else {}).items()
                    if not protection.active
                ],
            }
            temporary = self.results_path.with_suffix(".tmp")
            temporary.write_text(json.dumps(document, indent=1))
            temporary.replace(self.results_path)
        self.emit(event="finished")

    # -- fixtures -----------------------------------------------------------------------

    @pytest.fixture(scope="session")
    def submission(self) -> Submission:
        """The submission being graded, reachable only through its worker process."""
        if self.worker is None:
            raise pytest.UsageError("graders need --submission PATH")
        if self.client is None:
            self.client = Submission(
                self.worker,
                seed=self.config.getoption("course_seed"),
                on_request=lambda probe, seconds: self.emit(
                    event="request", probe=probe, seconds=seconds
                ),
                on_reply=lambda probe: self.emit(event="replied", probe=probe),
            )
        self.client.time_limit = self.time_limit
        return self.client

    # -- checks -------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        marker = item.get_closest_marker("time_limit")
        limit = float(marker.args[0]) if marker and marker.args else DEFAULT_TIME_LIMIT
        self.time_limit = limit * time_limit_scale()
        if self.client is not None:
            self.client.time_limit = self.time_limit
        self.started[item.nodeid] = time.monotonic()
        notes.take()
        notes.take_measurements()
        notes.take_plots()
        self.emit(event="started", id=item.nodeid, name=check_name(item))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.when == "teardown":
            self._finish(item)
        elif item.nodeid not in self.outcomes:
            if call.excinfo is not None:
                self.outcomes[item.nodeid] = classify(call.excinfo.value)
            elif call.when == "call":
                self.outcomes[item.nodeid] = ("passed", "", False)
        return report

    def _finish(self, item: pytest.Item) -> None:
        status, message, internal = self.outcomes.get(
            item.nodeid, ("grader-error", "the check did not run", True)
        )
        seconds = time.monotonic() - self.started.get(item.nodeid, time.monotonic())
        points = max_points(item)
        message = "\n".join(part for part in (message, *notes.take()) if part)
        result = CheckResult(
            id=item.nodeid,
            name=check_name(item),
            points=points if status == "passed" else 0.0,
            max_points=points,
            status=status,
            message=message,
            visibility=_visibility(item),
            seconds=round(seconds, 3),
            internal=internal,
            measurements=notes.take_measurements(),
            plots=notes.take_plots(),
        )
        self.checks.append(result)
        # The plots' data goes to the results file only: events stay a line each.
        self.emit(event="check", **{**result.to_dict(), "plots": []})


def worker_settings(graders: Path) -> WorkerSettings:
    """The keyword arguments for :class:`~course.sandbox.Worker` that ``graders/worker.toml``
    sets; none when the file is absent. An unknown key or a wrong value is a usage error."""
    path = graders / WORKER_SETTINGS
    if not path.is_file():
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise pytest.UsageError(f"cannot read {path}: {error}") from None
    known = sorted(WorkerSettings.__annotations__)
    unknown = sorted(set(document) - set(known))
    if unknown:
        raise pytest.UsageError(f"{path}: unknown settings {unknown}; known: {known}")
    settings: WorkerSettings = {}
    if "logical_cpus" in document:
        count = document["logical_cpus"]
        if type(count) is not int or count < 1:
            raise pytest.UsageError(f"{path}: logical_cpus must be an integer >= 1, not {count!r}")
        settings["logical_cpus"] = count
    if "tensorflow" in document:
        if type(document["tensorflow"]) is not bool:
            raise pytest.UsageError(f"{path}: tensorflow must be true or false")
        settings["tensorflow"] = document["tensorflow"]
    return settings


def time_limit_scale() -> float:
    """``$COURSE_TIME_LIMIT_SCALE``: multiplies every check's time limit (slow machines)."""
    text = os.environ.get("COURSE_TIME_LIMIT_SCALE", "1")
    try:
        scale = float(text)
    except ValueError:
        raise pytest.UsageError(
            f"COURSE_TIME_LIMIT_SCALE={text!r} is not a number; use e.g. 2 to double limits"
        ) from None
    if not scale > 0:
        raise pytest.UsageError(f"COURSE_TIME_LIMIT_SCALE={text!r} must be positive")
    return scale


def check_name(item: pytest.Item) -> str:
    """The first line of the test's docstring, else its name."""
    function = getattr(item, "function", None)
    return check_title(getattr(function, "__doc__", None), item.name)


def max_points(item: pytest.Item) -> float:
    marker = item.get_closest_marker("points")
    return float(marker.args[0]) if marker and marker.args else 0.0


def _visibility(item: pytest.Item) -> Visibility:
    marker = item.get_closest_marker("visibility")
    value = str(marker.args[0]) if marker and marker.args else "visible"
    return value if value in VISIBILITIES else "visible"


#: Failures a check expects: their message is the whole story.
_EXPECTED_FAILURES = (SubmissionError, CheckFailed, AssertionError)


def _brief_failures(item: pytest.Item) -> None:
    """Have pytest describe a check's expected failure by its message alone.

    The check's result takes its message from the exception (:func:`classify`); pytest's
    own description of it, a traceback with each frame's source, only reaches the grading
    process's log and cost about 0.1 s a failure (most of an untouched stub's grading). A
    grader's own error keeps its full traceback there, for the grader's author.
    """
    full = item._repr_failure_py

    def describe(excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, _EXPECTED_FAILURES):
            return f"{type(excinfo.value).__name__}: {excinfo.value}"
        return full(excinfo, style)

    item._repr_failure_py = describe  # type: ignore[method-assign]


def classify(error: BaseException) -> tuple[Status, str, bool]:
    """A check's status, message and whether the grader itself is to blame."""
    if isinstance(error, SubmissionError):
        status: Status = error.status if error.status in STATUSES else "error"
        return status, str(error), False
    if isinstance(error, CheckFailed):
        return "failed", str(error), False
    if isinstance(error, AssertionError):
        message = str(error) or "the check's assertion did not hold"
        return "failed", message, False
    if isinstance(error, pytest.skip.Exception):
        return "failed", f"the check was skipped: {error}", True
    if isinstance(error, GraderError):
        return "grader-error", str(error), True
    return (
        "grader-error",
        f"the grader itself failed ({type(error).__name__}: {error}). This is not your fault: "
        "please report it to the course staff.",
        True,
    )
