"""The instructor's commands: init, release, collect, autograde, feedback, export, import-zip.

Keyword-only functions over a course directory (:class:`CourseSettings`) and the course's
weeks (:class:`course.config.Layout`). The CLI renders what they return. nbgrader does the
file transfers and keeps the gradebook (:mod:`course.nbgrader`); our graders grade.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from course import __version__
from course.classroom.intake import (
    MAX_FILE_BYTES,
    SubmissionRefused,
    prepare,
    read_members,
    safe_members,
    submission_seed,
)
from course.classroom.notebooks import module_to_notebook, paired_module
from course.classroom.settings import (
    POLICY_FILE,
    ClassroomError,
    CourseSettings,
    write_settings,
)
from course.config import Week
from course.grading.results import CheckResult, GradeReport
from course.grading.template import uses_tensorflow, warm_grading
from course.nbgrader.timestamps import TIMESTAMP_FILE, read_timestamp, write_timestamp
from course.records import Adjustments, Check, GradedSubmission, StoredGrade

if TYPE_CHECKING:
    from course.nbgrader.exchange import Place

STEPS = ("source", "release", "submitted", "autograded", "feedback", "exports")
RESULTS_FILE = "results.json"
#: Seconds to wait for a Dask scheduler to answer (``autograde --scheduler``).
SCHEDULER_TIMEOUT = 30.0
SECRET_FILE = "submission_secret.txt"
_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")
#: Temporary folders of import-zip, beside ``submitted/<student>/<week>`` and named
#: ``.<week>.importing-<token>`` (the new folder being written) or ``.<week>.replaced-<token>``
#: (the old one, renamed away): hidden, so nbgrader's globs skip them too.
_IMPORTING, _REPLACED = ".importing-", ".replaced-"


def init(*, root: Path, course_id: str, database: str, exchange: str) -> CourseSettings:
    """Create a course directory: ``course.toml``, ``nbgrader_config.py``, the gradebook,
    nbgrader's step folders and the exchange."""
    from course.nbgrader import gradebook

    root = root.resolve()
    if (root / "course.toml").exists():
        raise ClassroomError(f"{root} already holds a course (course.toml); nothing changed")
    root.mkdir(parents=True, exist_ok=True)
    write_settings(root, course_id=course_id, database=database, exchange=exchange)
    settings = CourseSettings.load(root)
    for step in STEPS:
        (root / step).mkdir(exist_ok=True)
    settings.exchange.mkdir(parents=True, exist_ok=True)
    settings.exchange.chmod(0o777)  # nbgrader's exchange is writable by every student
    with gradebook.opened(settings.database_url, settings.course_id):
        pass  # creates the tables
    return settings


@dataclass(frozen=True)
class Released:
    week: str
    files: tuple[Path, ...]
    checks: int
    max_points: float
    #: Checks shipped for students to run (``checks/`` in the released folder), and the
    #: hidden ones that run only when their work is graded.
    public_checks: int = 0
    hidden_checks: int = 0


def release(
    *,
    settings: CourseSettings,
    week: Week,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> Released:
    """Publish ``week``: its stub module, its notebook and its public checks
    (:mod:`course.classroom.public`) to the exchange, its checks to the gradebook. Refuses
    a stub that is out of date with its solution (``course generate``).

    The checks come from grading the stub itself (every check must fail there, quickly),
    which proves the graders run before any student depends on them.
    """
    from course.classroom import notices
    from course.classroom.generate import stale_stubs
    from course.classroom.public import CHECKS_FOLDER, write_public_checks
    from course.grading.runner import grade
    from course.nbgrader import exchange, gradebook

    if stale_stubs([week]):
        raise ClassroomError(
            f"assignments/{week.stem}.py is out of date with its solution: run "
            "'course generate' and commit the stub before releasing"
        )
    stub = week.assignment.read_text(encoding="utf-8")
    report = grade(
        graders=week.graders, submission=week.assignment, week=week.label, on_event=on_event
    )
    if report.has_internal_errors or not report.checks or report.score != 0:
        raise ClassroomError(
            f"the graders of {week.stem} do not run cleanly on the stub (score "
            f"{report.score:g}, problems: {list(report.infrastructure_errors)}); fix them "
            f"with 'course check {week.number} --submission {week.assignment}' first"
        )
    checks = [Check(check.id, check.max_points) for check in report.checks]
    gradebook.declare_week(
        settings.database_url,
        settings.course_id,
        week.stem,
        checks,
        settings.policy.deadlines.get(week.stem),
    )
    source = settings.directory("source", week.stem)
    released = settings.directory("release", week.stem)
    for folder in (source, released):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
    # Each module with its notebook, in step: jupytext in JupyterLab reads a paired
    # notebook's cells from the module, the notebook's assignment text included.
    solution = week.solution.read_text(encoding="utf-8")
    (source / f"{week.stem}.py").write_text(paired_module(solution), encoding="utf-8")
    (source / f"{week.stem}.ipynb").write_text(module_to_notebook(solution), encoding="utf-8")
    files = (released / f"{week.stem}.py", released / f"{week.stem}.ipynb")
    files[0].write_text(paired_module(stub), encoding="utf-8")
    files[1].write_text(module_to_notebook(stub), encoding="utf-8")
    policy = settings.policy.for_week(week.stem).to_json()
    (released / POLICY_FILE).write_text(policy + "\n", encoding="utf-8")
    hidden = [check for check in report.checks if check.visibility == "hidden"]
    public = write_public_checks(
        week.graders,
        released / CHECKS_FOLDER,
        week=week.stem,
        hidden_checks=len(hidden),
        hidden_points=sum(check.max_points for check in hidden),
    )
    exchange.release(instructor_place(settings, week.stem))
    notices.publish(settings.exchange, settings.course_id, settings.policy.extensions)
    return Released(
        week.stem,
        (*files, public.folder),
        len(checks),
        report.max_score,
        public_checks=len(checks) - len(hidden),
        hidden_checks=len(hidden),
    )


def instructor_place(settings: CourseSettings, week: str, student: str = "") -> Place:
    """Where the instructor's transfers of ``week`` happen (``student``: only theirs)."""
    from course.nbgrader.exchange import Place

    return Place(
        exchange=settings.exchange,
        course_id=settings.course_id,
        week=week,
        student=student,
        course_root=settings.root,
        database_url=settings.database_url,
        timezone=settings.timezone,
    )


def collect(*, settings: CourseSettings, week: Week, student: str = "") -> list[str]:
    """Copy the latest submissions (within the per-day limit) into ``submitted/``."""
    from course.nbgrader import exchange

    return exchange.collect(
        instructor_place(settings, week.stem, student),
        per_day_limit=settings.policy.submissions_per_day,
    )


@dataclass(frozen=True)
class Outcome:
    """What autograding did for one student."""

    student: str
    status: str  # "graded", "unchanged", "refused", "failed"
    score: float = 0.0
    max_score: float = 0.0
    penalty: float = 0.0
    message: str = ""
    #: What the submission did to the grading machinery, when it tampered.
    integrity: tuple[str, ...] = ()


def autograde(
    *,
    settings: CourseSettings,
    week: Week,
    student: str = "",
    force: bool = False,
    seed: int | None = None,
    allow_reduced_isolation: bool = False,
    jobs: int = 1,
    scheduler: str = "",
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> list[Outcome]:
    """Grade every collected submission of ``week`` (or one student's) into the gradebook.

    A submission already graded with the same file and the same graders is not graded
    again (``force`` re-grades); its scores are written again, which changes no rows. A
    refused submission (missing, empty, not UTF-8, a broken notebook) is recorded with zero
    points and the reason; a grading run that itself fails records nothing for that
    student and is reported. Either way the batch goes on.

    ``jobs`` submissions are graded at once (with ``scheduler``, the address of a Dask
    scheduler, they are tasks of its cluster instead: :mod:`course.classroom.remote`);
    identical files (the same content, graders and
    seed) are graded once and the result recorded for each of their students. Results are
    recorded (gradebook, then ``autograded/<student>/<week>/results.json``) one student at a
    time, as each grading ends: a batch stopped half-way keeps what it recorded, and its
    re-run grades only the rest, with the same seeds, so it ends with the same gradebook.

    Every submission runs in the sandbox. On a machine where one of its protections is
    missing (``course doctor``), nothing is graded unless ``allow_reduced_isolation``; then
    each result records what was missing. Before the first submission is graded, the
    week's reference solution is graded the same way (the *canary*): unless it scores full
    marks, the batch stops before grading anyone. Each submission's inputs are drawn from a
    seed derived from the course's secret and the file (``seed`` overrides), so a student
    cannot predict them and a re-grade of the same file reproduces them.

    ``on_event`` receives the batch's progress as plain data: ``batch`` (its size and jobs),
    then per student ``started`` (graded now) and ``done`` (its outcome and seconds).
    """
    from course.nbgrader import gradebook

    missing = missing_protections()
    if missing and not allow_reduced_isolation:
        raise ClassroomError(
            "refusing to grade: the sandbox on this machine lacks "
            + "; ".join(f"{name} ({detail})" for name, detail in missing.items())
            + ". Install bubblewrap (apt-get install bubblewrap) and run as root or with "
            "unprivileged user namespaces ('course doctor' checks), or pass "
            "--allow-reduced-isolation to grade anyway (the results and exports record it)"
        )
    if jobs < 1:
        raise ClassroomError(f"--jobs must be at least 1 (received {jobs})")
    folders = submitted_folders(settings, week.stem, student)
    version = grader_version(week)
    if not gradebook.declared_checks(settings.database_url, settings.course_id, week.stem):
        raise ClassroomError(f"{week.stem} was never released here: run 'course release' first")
    gradebook.set_due_date(
        settings.database_url,
        settings.course_id,
        week.stem,
        settings.policy.deadlines.get(week.stem),
    )
    emit = on_event or (lambda event: None)
    batch = _Batch(settings, week, version, force=force, seed=seed, emit=emit)
    plans = [batch.plan(name, folder) for name, folder in folders]
    waiting = [plan for plan in plans if plan.outcome is None and plan.graded is None]
    emit(
        {
            "event": "batch",
            "week": week.stem,
            "students": len(plans),
            "to_grade": len(waiting),
            "distinct": len({plan.key for plan in waiting}),
            "jobs": jobs,
            **({"scheduler": scheduler} if scheduler else {}),
        }
    )
    for plan in plans:  # refused and unchanged submissions: recorded without grading
        if plan.outcome is None and plan.graded is not None:
            batch.record(plan)
    if waiting:
        # The canary and every submission fork their grading process from one template.
        warm = warm_grading(tensorflow=uses_tensorflow(week.graders))
        with warm if len(waiting) > 1 and not scheduler else contextlib.nullcontext():
            _Canary(week, require_isolation=not allow_reduced_isolation).check()
            if scheduler:
                batch.grade_on_cluster(
                    waiting, scheduler=scheduler, require_isolation=not allow_reduced_isolation
                )
            else:
                batch.grade(waiting, jobs=jobs, require_isolation=not allow_reduced_isolation)
    return [plan.outcome or Outcome(plan.student, "failed", message="not graded") for plan in plans]


@dataclass
class _Plan:
    """One student's submission in a batch: what to grade, or what is already known."""

    student: str
    target: Path
    submitted_at: dt.datetime | None = None
    previous: GradedSubmission | None = None
    #: Known without grading: refused, or unchanged since its last grading.
    graded: GradedSubmission | None = None
    module: Path | None = None
    source: str = ""
    digest: str = ""
    seed: int = 0
    outcome: Outcome | None = None

    @property
    def key(self) -> tuple[str, int]:
        """Gradings with equal keys give equal reports (the graders are the batch's)."""
        return (self.digest, self.seed)


class _Batch:
    """The steps of :func:`autograde` for each student: plan, grade, record."""

    def __init__(
        self,
        settings: CourseSettings,
        week: Week,
        version: str,
        *,
        force: bool,
        seed: int | None,
        emit: Callable[[dict[str, Any]], None],
    ) -> None:
        self.settings, self.week, self.version = settings, week, version
        self.force, self.seed, self.emit = force, seed, emit
        self.recorded = 0
        self.total = 0

    def plan(self, student: str, folder: Path) -> _Plan:
        self.total += 1
        target = self.settings.directory("autograded", self.week.stem, student)
        plan = _Plan(student, target)
        try:
            plan.submitted_at = read_timestamp(folder)
            plan.previous = load_results(target)
            try:
                prepared = prepare(folder, week=self.week.stem, student=student)
            except SubmissionRefused as refusal:
                plan.graded = _refused(
                    self.settings,
                    student,
                    self.week,
                    plan.submitted_at,
                    self.version,
                    refusal.problem,
                )
                return plan
            plan.digest = hashlib.sha256(prepared.module.encode("utf-8")).hexdigest()
            plan.source = prepared.source.name
            previous = plan.previous
            if (
                not self.force
                and previous is not None
                and previous.submission_sha256 == plan.digest
                and previous.grader_version == self.version
            ):
                plan.graded = previous
                return plan
            target.mkdir(parents=True, exist_ok=True)
            plan.module = target / f"{self.week.stem}.py"
            plan.module.write_text(prepared.module, encoding="utf-8")
            plan.seed = (
                self.seed
                if self.seed is not None
                else grading_seed(self.settings, week=self.week.stem, digest=plan.digest)
            )
        except ClassroomError as error:
            plan.outcome = Outcome(student, "failed", message=str(error))
        except Exception as error:  # one broken submission never stops the batch
            plan.outcome = Outcome(student, "failed", message=f"{type(error).__name__}: {error}")
        return plan

    def grade(self, plans: list[_Plan], *, jobs: int, require_isolation: bool) -> None:
        """Grade each distinct submission once, ``jobs`` at a time; record each student's
        result here, in this thread, as its grading ends."""
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

        from course.grading.runner import grade

        pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="autograde")
        running: dict[Future[GradeReport], tuple[list[_Plan], float]] = {}
        queue = list(self._groups(plans).values())
        try:
            while queue or running:
                while queue and len(running) < jobs:
                    group = queue.pop(0)
                    first = group[0]
                    assert first.module is not None  # planned for grading
                    self._started(group)
                    future = pool.submit(
                        grade,
                        graders=self.week.graders,
                        submission=first.module,
                        week=self.week.label,
                        seed=first.seed,
                        require_isolation=require_isolation,
                    )
                    running[future] = (group, time.monotonic())
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    group, began = running.pop(future)
                    seconds = time.monotonic() - began
                    try:
                        report = future.result()
                    except Exception as error:  # told to each student of the group
                        self._graded(group, error, seconds=seconds)
                    else:
                        self._graded(group, report, seconds=seconds)
        finally:
            for future in running:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    def grade_on_cluster(
        self, plans: list[_Plan], *, scheduler: str, require_isolation: bool
    ) -> None:
        """Grade each distinct submission once as a task of the Dask cluster at
        ``scheduler`` (:mod:`course.classroom.remote`); record the results here as they
        come back."""
        from distributed import Client, as_completed

        from course.classroom.remote import grade_text

        try:
            # distributed ships no type hints for these two.
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)  # type: ignore[no-untyped-call]
        except OSError as error:
            raise ClassroomError(
                f"could not reach the Dask scheduler at {scheduler} ({error}): start it with "
                "'dask scheduler' and its workers with 'dask worker ADDRESS --nthreads 1'"
            ) from error
        with client:
            tasks = {}
            for group in self._groups(plans).values():
                first = group[0]
                assert first.module is not None  # planned for grading
                self._started(group)
                future = client.submit(
                    grade_text,
                    week=self.week.stem,
                    filename=first.module.name,
                    text=first.module.read_text(encoding="utf-8"),
                    seed=first.seed,
                    grader_version=self.version,
                    require_isolation=require_isolation,
                    key=f"course-grade-{self.week.stem}-{first.digest[:16]}-{first.seed}",
                    pure=False,
                    retries=1,  # a worker lost mid-task: graded again on another
                )
                tasks[future] = (group, time.monotonic())
            for future in as_completed(list(tasks)):  # type: ignore[no-untyped-call]
                group, began = tasks[future]
                seconds = time.monotonic() - began
                try:
                    result = future.result()
                    report = GradeReport.from_dict(
                        {**result["report"], "submission": str(group[0].module)},
                        seconds=float(result["seconds"]),
                    )
                except Exception as error:  # told to each student of the group
                    self._graded(group, error, seconds=seconds)
                else:
                    self._graded(group, report, seconds=seconds, where=str(result["worker"]))

    @staticmethod
    def _groups(plans: list[_Plan]) -> dict[tuple[str, int], list[_Plan]]:
        """Plans with equal keys (the same file and seed): graded once."""
        groups: dict[tuple[str, int], list[_Plan]] = {}
        for plan in plans:
            groups.setdefault(plan.key, []).append(plan)
        return groups

    def _started(self, group: list[_Plan]) -> None:
        for plan in group:
            self.emit({"event": "started", "student": plan.student})

    def _graded(
        self,
        group: list[_Plan],
        result: GradeReport | Exception,
        *,
        seconds: float,
        where: str = "",
    ) -> None:
        for plan in group:
            self._graded_one(plan, result, seconds=seconds, where=where)

    def _graded_one(
        self, plan: _Plan, result: GradeReport | Exception, *, seconds: float, where: str
    ) -> None:
        from course.grading.runner import GradingFailed

        if isinstance(result, GradingFailed):
            plan.outcome = Outcome(
                plan.student, "failed", message=f"grading could not run: {result}"
            )
        elif isinstance(result, Exception):  # one broken submission never stops the batch
            plan.outcome = Outcome(
                plan.student, "failed", message=f"{type(result).__name__}: {result}"
            )
        elif result.has_internal_errors:
            plan.outcome = Outcome(
                plan.student,
                "failed",
                message="the graders failed (not the student's fault): "
                + "; ".join(result.infrastructure_errors or ("see the check messages",)),
            )
        else:
            assert plan.module is not None
            report = dataclasses.replace(result, submission=str(plan.module))
            plan.graded = GradedSubmission(
                student=plan.student,
                week=self.week.stem,
                submitted_at=plan.submitted_at.isoformat() if plan.submitted_at else None,
                source=plan.source,
                submission_sha256=plan.digest,
                grader_version=self.version,
                report=report.to_dict(),
                seed=plan.seed,
            )
            self.record(plan, seconds=seconds, where=where)
            return
        self._done(plan, seconds=seconds, where=where)

    def record(self, plan: _Plan, *, seconds: float = 0.0, where: str = "") -> None:
        """Write a known result to the gradebook and the student's results file."""
        try:
            assert plan.graded is not None
            plan.outcome = _record(self.settings, self.week, plan)
        except ClassroomError as error:
            plan.outcome = Outcome(plan.student, "failed", message=str(error))
        except Exception as error:  # one broken submission never stops the batch
            plan.outcome = Outcome(
                plan.student, "failed", message=f"{type(error).__name__}: {error}"
            )
        self._done(plan, seconds=seconds, where=where)

    def _done(self, plan: _Plan, *, seconds: float, where: str = "") -> None:
        self.recorded += 1
        outcome = plan.outcome
        assert outcome is not None
        self.emit(
            {
                "event": "done",
                "student": plan.student,
                "status": outcome.status,
                "score": outcome.score - outcome.penalty,
                "max_score": outcome.max_score,
                "message": outcome.message,
                "seconds": round(seconds, 2),
                "index": self.recorded,
                "total": self.total,
                **({"worker": where} if where else {}),
            }
        )


class CanaryFailed(ClassroomError):
    """The week's reference solution did not score full marks in the sandbox."""


class _Canary:
    """Grades the week's reference solution once, the first time a batch needs to grade."""

    def __init__(self, week: Week, *, require_isolation: bool) -> None:
        self.week = week
        self.require_isolation = require_isolation
        self.passed = False

    def check(self) -> None:
        if self.passed:
            return
        from course.grading.runner import GradingFailed, grade

        week = self.week
        try:
            report = grade(
                graders=week.graders,
                submission=week.solution,
                week=week.label,
                require_isolation=self.require_isolation,
            )
        except GradingFailed as error:
            raise CanaryFailed(
                f"the canary could not be graded: {error}. No submission was graded"
            ) from error
        if report.score != report.max_score or report.has_internal_errors or report.integrity:
            wrong = [
                f"{check.name} ({check.status}: {check.message[:200]})"
                for check in report.checks
                if not check.passed
            ]
            raise CanaryFailed(
                f"the canary failed: the reference solution of {week.stem} scored "
                f"{report.score:g} / {report.max_score:g} in the sandbox on this machine, so "
                "no submission was graded. Fix the graders or the machine first ('course "
                f"check {week.number} --submission {week.solution}' shows the same). "
                + "; ".join([*wrong[:5], *report.infrastructure_errors[:3]])
            )
        self.passed = True


def missing_protections() -> dict[str, str]:
    """The sandbox protections missing on this machine, with the reason for each."""
    from course.sandbox import default_launcher

    return {
        name: protection.detail
        for name, protection in default_launcher().protections().items()
        if not protection.active
    }


def grading_seed(settings: CourseSettings, *, week: str, digest: str) -> int:
    """The seed a submission's checks draw their inputs from: unpredictable without the
    course's secret (``.grading-secret`` in the course directory, made on first use), the
    same for a re-grade of the same file, and for two students' identical files (graded
    once)."""
    path = settings.root / ".grading-secret"
    if not path.is_file():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32))
    secret = path.read_text(encoding="utf-8").strip()
    return submission_seed(secret, week=week, digest=digest)


def submitted_folders(
    settings: CourseSettings, week: str, student: str = ""
) -> list[tuple[str, Path]]:
    base = settings.root / "submitted"
    pattern = f"{student or '*'}/{week}"
    found = sorted(
        (p.parent.name, p)
        for p in base.glob(pattern)
        if p.is_dir() and not p.parent.name.startswith(".")  # student ids never do
    )
    if student and not found:
        raise ClassroomError(
            f"no collected submission of {week} by {student} in {base}: run "
            f"'course collect {week}' first"
        )
    return found


def _record(settings: CourseSettings, week: Week, plan: _Plan) -> Outcome:
    """Write ``plan``'s result to the gradebook (late penalty applied), then to its results
    file: a batch stopped between the two grades the student again, with the same seed."""
    from course.nbgrader import gradebook

    graded, submitted_at, student = plan.graded, plan.submitted_at, plan.student
    assert graded is not None
    target = plan.target
    report = graded.grade_report
    if submitted_at is not None:
        graded.days_late = settings.policy.days_late(week.stem, student, submitted_at)
        graded.penalty = settings.policy.penalty(week.stem, student, submitted_at, report.score)
    gradebook.record(
        settings.database_url,
        settings.course_id,
        week=week.stem,
        student=student,
        timestamp=submitted_at,
        scores={check.id: check.points for check in report.checks},
        penalty=graded.penalty,
        comments={
            check.id: check.message for check in report.checks if check.status == "integrity"
        },
    )
    save_results(target, graded)
    _write_graded_notebook(target, week.stem, graded)
    unchanged = graded is plan.previous
    notes = [graded.refused] if graded.refused else []
    if report.integrity:
        notes.append(
            "INTEGRITY: the submission tampered with the grading machinery ("
            + "; ".join(report.integrity[:3])
            + ")"
        )
    if report.missing_protections:
        notes.append(
            "graded with reduced isolation (missing: " + ", ".join(report.missing_protections) + ")"
        )
    return Outcome(
        student,
        "refused" if graded.refused else ("unchanged" if unchanged else "graded"),
        score=report.score,
        max_score=report.max_score,
        penalty=graded.penalty,
        message="; ".join(notes),
        integrity=report.integrity,
    )


def _refused(
    settings: CourseSettings,
    student: str,
    week: Week,
    submitted_at: dt.datetime | None,
    version: str,
    problem: str,
) -> GradedSubmission:
    """Zero points on every check the gradebook declares for the week, each saying why."""
    from course.nbgrader import gradebook

    checks = gradebook.declared_checks(settings.database_url, settings.course_id, week.stem)
    report = GradeReport(
        week=week.label,
        submission="",
        checks=tuple(
            CheckResult(
                id=check.id,
                name=check.id.split("::")[-1],
                points=0.0,
                max_points=check.max_points,
                status="error",
                message=f"not graded: {problem}",
            )
            for check in checks
        ),
    )
    return GradedSubmission(
        student=student,
        week=week.stem,
        submitted_at=submitted_at.isoformat() if submitted_at else None,
        source="",
        submission_sha256="",
        grader_version=version,
        report=report.to_dict(),
        refused=problem,
    )


def grader_version(week: Week) -> str:
    """sha256 over the course version and every grader file of the week (names and bytes)."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(week.graders.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(week.graders).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_results(folder: Path) -> GradedSubmission | None:
    path = folder / RESULTS_FILE
    if not path.is_file():
        return None
    try:
        return GradedSubmission(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None  # unreadable: grade again


def save_results(folder: Path, graded: GradedSubmission) -> None:
    """Write ``results.json`` atomically; a file that already says the same is left as it
    is (its time then says when the result last changed: ``course serve`` reads it)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(asdict(graded), indent=2)
    path = folder / RESULTS_FILE
    with contextlib.suppress(OSError):
        if path.read_text(encoding="utf-8") == text:
            return
    temporary = folder / f".{RESULTS_FILE}.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@dataclass(frozen=True)
class FeedbackWritten:
    student: str
    path: Path


def reveals_hidden_checks(
    settings: CourseSettings, week: str, student: str, now: dt.datetime
) -> bool:
    """Whether ``student``'s feedback on ``week`` written at ``now`` may show hidden checks'
    messages: once their due date, extension included, has passed (or when there is none)."""
    due = settings.policy.due(week, student)
    return due is None or now >= due


def feedback(*, settings: CourseSettings, week: Week, student: str = "") -> list[FeedbackWritten]:
    """Write ``feedback/<student>/<week>/<week>.html`` for every graded submission and
    release them through nbgrader's exchange (students get them with ``course
    fetch-feedback``). Hidden checks' messages are on the page only once the student's due
    date (extension included) has passed; feedback written earlier shows their points.
    What an instructor changed in formgrader (points, comments, the late penalty) is on it
    (:func:`course.nbgrader.gradebook.manual_adjustments`)."""
    from course.nbgrader import exchange, gradebook

    adjustments = gradebook.manual_adjustments(settings.database_url, settings.course_id, week.stem)
    written = []
    for name, _ in submitted_folders(settings, week.stem, student):
        page = write_feedback_page(
            settings=settings, week=week, student=name, adjustments=adjustments.get(name)
        )
        if page is not None:
            written.append(FeedbackWritten(name, page))
    if not written:
        raise ClassroomError(
            f"no graded submissions of {week.stem} to give feedback on: run "
            f"'course autograde {week.stem}' first"
        )
    exchange.release_feedback(instructor_place(settings, week.stem, student))
    return written


def write_feedback_page(
    *,
    settings: CourseSettings,
    week: Week,
    student: str,
    adjustments: Adjustments | None = None,
) -> Path | None:
    """Write ``student``'s feedback page on ``week`` (see :func:`feedback`), beside the
    submission's timestamp and secret that nbgrader's release of feedback reads; ``None``
    when the submission was never graded. nbgrader's Generate Feedback writes the same page
    (:mod:`course.classroom.formgrader`)."""
    from course.reports.feedback import render_html

    graded = load_results(settings.directory("autograded", week.stem, student))
    if graded is None:
        return None
    folder = settings.directory("submitted", week.stem, student)
    target = settings.directory("feedback", week.stem, student)
    target.mkdir(parents=True, exist_ok=True)
    for kept in (TIMESTAMP_FILE, SECRET_FILE):
        if (folder / kept).is_file():
            shutil.copyfile(folder / kept, target / kept)
    if not (target / SECRET_FILE).is_file():
        (target / SECRET_FILE).write_text(secrets.token_hex(32), encoding="utf-8")
    if not (target / TIMESTAMP_FILE).is_file():
        write_timestamp(target, dt.datetime.now(dt.UTC))
    reveal = reveals_hidden_checks(settings, week.stem, student, dt.datetime.now(dt.UTC))
    page = target / f"{week.stem}.html"
    code = _graded_code(settings.directory("autograded", week.stem, student) / f"{week.stem}.py")
    text = render_html(
        graded,
        title=week.title,
        reveal_hidden=reveal,
        code=code,
        graders=week.graders,
        adjustments=adjustments,
    )
    temporary = target / f".{page.name}.tmp"  # nbgrader leaves its own pages read-only
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, page)
    return page


def _write_graded_notebook(target: Path, week: str, graded: GradedSubmission) -> None:
    """``autograded/<student>/<week>/<week>.ipynb``: what formgrader shows of the graded
    submission (:mod:`course.nbgrader.formgrader`)."""
    from course.nbgrader.formgrader import write_graded_notebook

    code = None if graded.refused else _graded_code(target / f"{week}.py")
    write_graded_notebook(target / f"{week}.ipynb", graded, code=code)


def _graded_code(module: Path) -> str | None:
    """The module that was graded (a notebook's code cells made into one), whose lines the
    checks' messages name, for the feedback page; ``None`` when there is none (refused)."""
    try:
        return module.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def export(
    *,
    settings: CourseSettings,
    weeks: Iterable[Week],
    output: Path,
    canvas_ids: Mapping[str, str] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the grades under ``output``:

    * ``<week>.csv``: a row per graded submission, a column per check headed by its name in
      exercise order (:func:`course.reports.export.check_columns`), then raw score, late
      penalty, score, max score, integrity and isolation;
    * ``<week>_summary.html``: the week's class summary with each check's pass rate charted;
    * ``statistics.csv``: each check of every week with its id, points, pass rate and mean;
    * ``grades.csv``: names and emails from the roster, a column per week, the total, the
      days late and the weeks flagged for integrity;
    * ``canvas.csv`` and ``moodle.csv``: the same scores as Canvas and Moodle import them
      (:mod:`course.reports.lms`); ``canvas_ids``: the Canvas assignment id of a week stem;
    * a Gradescope ``results.json`` per submission under ``gradescope/<week>/``.

    ``on_warning``: told, in a sentence, what would trip an LMS import (no email)."""
    from course.grading.declared import declared_checks
    from course.nbgrader import gradebook
    from course.reports.export import check_columns, write_summary, write_week_csv
    from course.reports.lms import (
        GradebookItem,
        item_title,
        missing_emails,
        write_canvas_csv,
        write_moodle_csv,
    )
    from course.reports.statistics import check_statistics, write_statistics
    from course.reports.summary import render_week_summary

    output.mkdir(parents=True, exist_ok=True)
    written = []
    table: dict[str, dict[str, float]] = {}
    maxima: dict[str, float] = {}
    flagged: dict[str, list[str]] = {}
    late_days: dict[str, int] = {}
    items = []
    statistics = []
    for week in weeks:
        checks = gradebook.declared_checks(settings.database_url, settings.course_id, week.stem)
        if not checks:
            continue
        rows = gradebook.stored_grades(settings.database_url, settings.course_id, week.stem)
        graded = {
            row.student: found
            for row in rows
            if (found := load_results(settings.directory("autograded", week.stem, row.student)))
            is not None
        }
        named = [(check.id, check.name) for check in declared_checks(week.graders) or []]
        notes: dict[str, tuple[str, str]] = {}
        for student, result in graded.items():
            if result.refused:  # its checks are named after their functions, by id
                continue
            report = result.grade_report
            named += [(check.id, check.name) for check in report.checks]
            if report.integrity:
                flagged.setdefault(student, []).append(week.stem)
            missing = ", ".join(report.missing_protections)
            notes[student] = (
                "; ".join(report.integrity),
                f"reduced: {missing}" if missing else "full",
            )
        columns = check_columns(checks, named, week.graders)
        adjusted = gradebook.manual_adjustments(
            settings.database_url, settings.course_id, week.stem
        )
        comments = {student: changes.comments for student, changes in adjusted.items()}
        written.append(write_week_csv(output / f"{week.stem}.csv", columns, rows, notes, comments))
        week_statistics = check_statistics(week.stem, columns, rows)
        statistics += week_statistics
        maxima[week.stem] = sum(check.max_points for check in checks)
        title = item_title(week.number, week.title)
        summary = output / f"{week.stem}_summary.html"
        summary.write_text(
            render_week_summary(
                week=week.stem,
                title=title,
                statistics=week_statistics,
                rows=rows,
                max_score=maxima[week.stem],
            ),
            encoding="utf-8",
        )
        written.append(summary)
        items.append(
            GradebookItem(
                week.stem, title, maxima[week.stem], (canvas_ids or {}).get(week.stem, "")
            )
        )
        for row in rows:
            table.setdefault(row.student, {})[week.stem] = row.score
            if row.timestamp is not None:
                late = settings.policy.days_late(week.stem, row.student, _aware(row.timestamp))
                late_days[row.student] = late_days.get(row.student, 0) + late
            if row.student in graded:
                written.append(_write_gradescope(output, week, row, graded[row.student]))
    people = gradebook.student_names(settings.database_url, settings.course_id)
    written.append(write_statistics(output / "statistics.csv", statistics))
    written.append(
        write_summary(
            output / "grades.csv", table, maxima, flagged, people=people, late_days=late_days
        )
    )
    written.append(write_canvas_csv(output / "canvas.csv", items, table, people))
    written.append(write_moodle_csv(output / "moodle.csv", items, table, people))
    unknown = missing_emails(table, people)
    if unknown and on_warning is not None:
        on_warning(
            f"{len(unknown)} student(s) have no email on the roster ({', '.join(unknown[:5])}"
            f"{', ...' if len(unknown) > 5 else ''}): Moodle cannot match them by email and "
            "Canvas only by id or name; add them with 'course roster import FILE.csv'"
        )
    return written


def _write_gradescope(output: Path, week: Week, row: StoredGrade, graded: GradedSubmission) -> Path:
    """``<output>/gradescope/<week>/<student>/results.json``: the gradebook's score with
    the late penalty and any integrity finding said in its output."""
    path = output / "gradescope" / week.stem / row.student / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = graded.grade_report.to_gradescope()
    document["score"] = row.score
    remarks = []
    if row.penalty:
        remarks.append(f"Late penalty: -{row.penalty:g} points.")
    if graded.grade_report.integrity:
        remarks.append(
            "Integrity: the submission tampered with the grading machinery ("
            + "; ".join(graded.grade_report.integrity)
            + ")."
        )
    if remarks:
        document["output"] = " ".join(remarks)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def _aware(moment: dt.datetime) -> dt.datetime:
    """``moment`` with its time zone: the gradebook keeps naive UTC times."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Imported:
    student: str
    path: Path


@dataclass(frozen=True)
class ImportProblem:
    file: str
    problem: str


def import_zip(
    *,
    settings: CourseSettings,
    week: Week,
    archive: Path,
    names: dict[str, str] | None = None,
    submitted_at: dt.datetime | None = None,
) -> tuple[list[Imported], list[ImportProblem]]:
    """Unpack an LMS download (one file per student) into ``submitted/<student>/<week>/``.

    ``names`` maps the names the LMS puts at the start of each file name (``Jane Doe``,
    ``doejane``, an LMS id) to student ids; the longest matching name wins. Without it the
    file name up to its first ``_`` (or its stem) is the student id.

    Every file to import is read and checked before anything is written. The whole archive
    is refused (:class:`ClassroomError`, nothing on disk changed) when it is unsafe (see
    :func:`course.classroom.intake.safe_members`) or when a file to import cannot be read
    intact (see :func:`course.classroom.intake.read_member`: a wrong checksum, a size its
    header misstates, truncation, encryption, an unsupported compression). Such damage
    comes from the download, not from one student, and downloading again is the fix for
    the whole archive. A file that matches no student, a student with several files, a
    file over :data:`~course.classroom.intake.MAX_FILE_BYTES`, a file whose time in the zip
    is no date (without ``submitted_at``) and a folder that cannot be written are reported
    and skipped; files the import does not use (``notes.txt``) are not read.

    A student's earlier import is replaced only by a complete new one (see
    :func:`_install_folder`); do not run two imports of the same week at once.
    """
    try:
        opened = zipfile.ZipFile(archive)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as error:
        raise ClassroomError(
            f"{archive} is not a readable zip file ({error}); if the download was cut short, "
            "download it again from the LMS"
        ) from error
    problems: list[ImportProblem] = []
    chosen: list[tuple[str, zipfile.ZipInfo, dt.datetime]] = []
    with opened:
        members = safe_members(opened, name=archive.name)
        by_student: dict[str, list[zipfile.ZipInfo]] = {}
        for info in members:
            base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if base.startswith(".") or Path(base).suffix not in (".py", ".ipynb"):
                problems.append(ImportProblem(info.filename, "not a .py or .ipynb file"))
                continue
            student = _student_for(base, names)
            if student is None:
                problems.append(
                    ImportProblem(
                        info.filename,
                        "matches no student: add its name to the --names file"
                        if names
                        else "its name does not start with a valid student id",
                    )
                )
                continue
            by_student.setdefault(student, []).append(info)
        for student, infos in sorted(by_student.items()):
            if len(infos) > 1:
                listed = ", ".join(info.filename for info in infos)
                problems.append(ImportProblem(listed, f"{student}: several files; keep one"))
                continue
            info = infos[0]
            if info.file_size > MAX_FILE_BYTES:
                problems.append(
                    ImportProblem(
                        info.filename,
                        f"{student}: {info.file_size:,} bytes; a submission may have at most "
                        f"{MAX_FILE_BYTES:,}: ask for a smaller file",
                    )
                )
                continue
            try:
                moment = submitted_at or dt.datetime(*info.date_time, tzinfo=dt.UTC)
            except ValueError:
                problems.append(
                    ImportProblem(
                        info.filename,
                        f"{student}: its time in the zip, {info.date_time}, is no date: "
                        "give --submitted-at",
                    )
                )
                continue
            chosen.append((student, info, moment))
        contents = read_members(opened, [info for _, info, _ in chosen], name=archive.name)
    try:
        _recover_interrupted_imports(settings.root / "submitted", week.stem)
    except OSError as error:
        raise ClassroomError(
            f"cannot tidy what an interrupted import left in {settings.root / 'submitted'} "
            f"({error}); nothing was imported. Fix the permissions and import again"
        ) from error
    imported: list[Imported] = []
    for (student, info, moment), data in zip(chosen, contents, strict=True):
        folder = settings.directory("submitted", week.stem, student)
        name = f"{week.stem}{Path(info.filename).suffix}"
        try:
            _install_folder(folder, partial(_write_submission, name=name, data=data, moment=moment))
        except OSError as error:
            problems.append(
                ImportProblem(
                    info.filename,
                    f"{student}: could not be written ({error}); their earlier import, if "
                    "any, is kept",
                )
            )
            continue
        imported.append(Imported(student, folder / name))
    return imported, problems


def _write_submission(folder: Path, *, name: str, data: bytes, moment: dt.datetime) -> None:
    (folder / name).write_bytes(data)
    write_timestamp(folder, moment)
    (folder / SECRET_FILE).write_text(secrets.token_hex(32), encoding="utf-8")


def _install_folder(folder: Path, write: Callable[[Path], None]) -> None:
    """Fill a new folder with ``write`` and put it at ``folder``, in place of any earlier one.

    The new folder is written beside ``folder`` under a temporary name (same filesystem,
    outside :func:`submitted_folders`' pattern) and flushed to disk; then the old folder is
    renamed away, the new one renamed in, and the old one deleted. A crash at any point
    leaves the old or the new folder complete, and :func:`_recover_interrupted_imports`
    puts the old one back if it was caught between the renames. An error undoes the step.
    """
    parent = folder.parent
    made_parent = not parent.exists()
    parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(8)
    staging = parent / f".{folder.name}{_IMPORTING}{token}"
    replaced = parent / f".{folder.name}{_REPLACED}{token}"
    had_old = folder.exists() or folder.is_symlink()
    try:
        staging.mkdir()
        write(staging)
        _flush(staging)
        if had_old:
            os.rename(folder, replaced)
        try:
            os.rename(staging, folder)
        except BaseException:
            if had_old:
                os.rename(replaced, folder)
            raise
    except BaseException:
        with contextlib.suppress(OSError):
            _remove(staging)
            if made_parent:
                parent.rmdir()
        raise
    with contextlib.suppress(OSError):  # the new folder is in; the next import tidies up
        _flush(parent, files=False)
        if had_old:
            _remove(replaced)


def _recover_interrupted_imports(submitted: Path, week: str) -> None:
    """Tidy what an import stopped part-way left: a new folder that was never renamed in is
    deleted; an old folder renamed away goes back to its place if that is empty."""
    for staging in submitted.glob(f"*/.{week}{_IMPORTING}*"):
        _remove(staging)
    for replaced in sorted(submitted.glob(f"*/.{week}{_REPLACED}*")):
        folder = replaced.parent / week
        if folder.exists() or folder.is_symlink():
            _remove(replaced)
        else:
            os.rename(replaced, folder)


def _flush(folder: Path, *, files: bool = True) -> None:
    """Write ``folder``'s files (with ``files``) and its entries to disk, so that a crash of
    the machine after a rename cannot leave the renamed folder empty."""
    for path in [*(folder.iterdir() if files else ()), folder]:
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:  # Windows cannot open a folder; its renames are durable as they are
            continue
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _student_for(filename: str, names: dict[str, str] | None) -> str | None:
    lowered = filename.lower()
    if names:
        matches = [
            (len(name), student)
            for name, student in names.items()
            if lowered.startswith(name.lower())
            and (len(lowered) == len(name) or not lowered[len(name)].isalnum())
        ]
        return max(matches)[1] if matches else None
    candidate = re.split(r"[_.]", filename, maxsplit=1)[0]
    return candidate if _STUDENT_ID.match(candidate) else None


def read_names(path: Path) -> dict[str, str]:
    """A CSV of ``name,student_id`` rows (a header row is allowed) for ``import_zip``."""
    import csv

    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if row and any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError) as error:
        raise ClassroomError(f"cannot read the names file {path}: {error}") from error
    names = {}
    for number, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise ClassroomError(f"{path}, row {number}: expected 'name,student_id'")
        name, student = row[0].strip(), row[1].strip()
        if number == 1 and student.lower() in ("student_id", "student", "id"):
            continue
        if not _STUDENT_ID.match(student):
            raise ClassroomError(f"{path}, row {number}: {student!r} is not a valid student id")
        names[name] = student
    return names
