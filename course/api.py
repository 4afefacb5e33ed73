"""Keyword-only entry points shared by the CLI and Python users.

Nothing here imports TensorFlow: grading happens in separate processes.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from course.config import CourseError, Layout, Week, data_home, find_root
from course.grading.results import GradeReport
from course.progress import ProgressStore, WeekProgress

if TYPE_CHECKING:
    from course.grading.runner import EventHandler

#: Larger submissions are refused before anything runs.
MAX_SUBMISSION_BYTES = 1_000_000


def layout(*, root: Path | None = None) -> Layout:
    """The course files under ``root`` (default: found from the current folder)."""
    return Layout(root if root is not None else find_root())


def list_weeks(*, root: Path | None = None) -> tuple[Week, ...]:
    """Every week of the course, in order."""
    return layout(root=root).weeks


def check(
    *,
    week: str,
    submission: Path | None = None,
    root: Path | None = None,
    seed: int | None = None,
    on_event: EventHandler | None = None,
    store: ProgressStore | None = None,
    recorded_as: Path | None = None,
) -> GradeReport:
    """Grade ``submission`` (default: the week's stub in ``assignments/``) against the
    week's graders, and record the score in the learner's progress ``store``.

    The checks draw their inputs from ``seed``; by default a new random one each time (the
    report says which), so that only a submission that is right in general passes.
    ``recorded_as``: the learner's file, when ``submission`` was made from it (a notebook).

    Raises :class:`CourseError` for an unknown week or an unusable submission file, and
    :class:`~course.grading.runner.GradingFailed` when the grading process itself fails.
    """
    chosen = layout(root=root).week(week)
    path = submission if submission is not None else chosen.assignment
    validate_submission(path)
    if seed is None:
        seed = secrets.randbelow(2**31)
    # Imported here: the runner brings the sandbox and NumPy, which listing weeks (and
    # resolving a week's name for fetch and submit) has no use for.
    from course.grading.runner import grade

    report = grade(
        graders=chosen.graders, submission=path, week=chosen.label, seed=seed, on_event=on_event
    )
    if not report.has_internal_errors:
        (store or default_store()).record(report, file=recorded_as)
    return report


def check_public(
    *,
    checks: Path,
    week: str,
    submission: Path,
    seed: int | None = None,
    on_event: EventHandler | None = None,
    store: ProgressStore | None = None,
    recorded_as: Path | None = None,
) -> GradeReport:
    """Grade ``submission`` with the public ``checks`` released with a class's week (see
    :mod:`course.classroom.public`): no course checkout needed, and no hidden check run.
    ``week`` is the week's label for the report (``week02``)."""
    validate_submission(submission)
    if seed is None:
        seed = secrets.randbelow(2**31)
    from course.grading.runner import grade

    report = grade(graders=checks, submission=submission, week=week, seed=seed, on_event=on_event)
    if not report.has_internal_errors:
        (store or default_store()).record(report, file=recorded_as)
    return report


def progress(
    *, root: Path | None = None, store: ProgressStore | None = None
) -> list[tuple[Week, WeekProgress | None]]:
    """Every week with the learner's best result so far (``None``: never checked)."""
    entries = (store or default_store()).load()
    return [(week, entries.get(week.label)) for week in list_weeks(root=root)]


def default_store() -> ProgressStore:
    return ProgressStore(data_home() / "progress.json")


def validate_submission(path: Path) -> None:
    """Refuse, with a message naming the fix, a file that cannot be a submission."""
    if not path.exists():
        raise CourseError(f"submission {path} does not exist")
    if not path.is_file():
        raise CourseError(f"submission {path} is not a file")
    if path.suffix != ".py":
        raise CourseError(f"submission {path} is not a Python file (.py)")
    size = path.stat().st_size
    if size == 0:
        raise CourseError(f"submission {path} is empty")
    if size > MAX_SUBMISSION_BYTES:
        raise CourseError(
            f"submission {path} is {size:,} bytes; the limit is {MAX_SUBMISSION_BYTES:,}"
        )
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise CourseError(
            f"submission {path} is not UTF-8 text ({error.reason} at byte {error.start}); "
            "save it as UTF-8"
        ) from None
