"""``course serve``: results moments after submit.

An instructor's long-running service over the same steps as the commands: each round, for
every released week, it collects the new submissions from the exchange (within the
daily-submission limit), grades those whose file changed (:func:`workflow.autograde`: one
warm template, ``jobs`` at a time, identical files once), and writes and releases the
feedback of each student whose result is newer than their released page. Students get it
with ``course fetch-feedback`` or wait for it with ``course submit --wait``.

Everything a round decides is read from files and the gradebook, never from memory: a
service stopped at any point and started again grades nothing twice (a result already
recorded for the same file and graders is kept) and loses nothing (a result recorded but
not yet released is released by the next round). Hidden checks' messages stay off the pages
until the student's due date has passed; the first round after it writes their pages again.
Each round reads ``course.toml`` again and sends each student their extensions
(:mod:`course.classroom.notices`), so an extension granted while serving reaches both the
grading and the student's own warnings.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.classroom import notices, workflow
from course.classroom.settings import SETTINGS_FILE, ClassroomError, CourseSettings
from course.config import Week


@dataclass(frozen=True)
class Round:
    """What one round did for one week."""

    week: str
    collected: tuple[str, ...] = ()
    graded: tuple[workflow.Outcome, ...] = ()
    released: tuple[str, ...] = ()
    #: Why the week was skipped this round (not released yet, the canary failed).
    skipped: str = ""


def released_weeks(settings: CourseSettings, weeks: Sequence[Week]) -> list[Week]:
    """The weeks of ``weeks`` released in this course (the gradebook declares their checks)."""
    from course.nbgrader import gradebook

    return [
        week
        for week in weeks
        if gradebook.declared_checks(settings.database_url, settings.course_id, week.stem)
    ]


def serve_round(
    *,
    settings: CourseSettings,
    weeks: Sequence[Week],
    jobs: int = 1,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> list[Round]:
    """One round over ``weeks`` (the released ones): collect, grade, release feedback."""
    rounds = []
    for week in released_weeks(settings, weeks):
        try:
            collected = tuple(workflow.collect(settings=settings, week=week))
            outcomes = tuple(
                workflow.autograde(settings=settings, week=week, jobs=jobs, on_event=on_event)
            )
        except workflow.CanaryFailed as error:
            rounds.append(Round(week.stem, skipped=str(error)))
            continue
        released = []
        for student in stale_feedback(settings, week):
            try:
                workflow.feedback(settings=settings, week=week, student=student)
            except ClassroomError:
                continue  # not graded after all (a failed grading): the next round retries
            released.append(student)
        graded = tuple(outcome for outcome in outcomes if outcome.status != "unchanged")
        rounds.append(Round(week.stem, collected, graded, tuple(released)))
    return rounds


def stale_feedback(settings: CourseSettings, week: Week) -> list[str]:
    """Students of ``week`` whose released page is missing, older than their result, or
    written before their due date when it has passed since (hidden messages to show)."""
    now = dt.datetime.now(dt.UTC)
    stale = []
    for student, _ in workflow.submitted_folders(settings, week.stem):
        results = settings.directory("autograded", week.stem, student) / workflow.RESULTS_FILE
        page = settings.directory("feedback", week.stem, student) / f"{week.stem}.html"
        if not results.is_file():
            continue
        if not page.is_file() or page.stat().st_mtime < results.stat().st_mtime:
            stale.append(student)
            continue
        written = dt.datetime.fromtimestamp(page.stat().st_mtime, dt.UTC)
        if workflow.reveals_hidden_checks(
            settings, week.stem, student, now
        ) and not workflow.reveals_hidden_checks(settings, week.stem, student, written):
            stale.append(student)
    return stale


def serve(
    *,
    settings: CourseSettings,
    weeks: Sequence[Week],
    interval: float = 10.0,
    jobs: int = 1,
    rounds: int = 0,
    on_round: Callable[[list[Round]], None] | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run :func:`serve_round` every ``interval`` seconds (``rounds`` times; 0: until
    interrupted). The grading template stays warm between rounds."""
    from course.grading.template import uses_tensorflow, warm_grading

    done = 0
    tensorflow = any(uses_tensorflow(week.graders) for week in weeks)
    with warm_grading(lazy=True, tensorflow=tensorflow):
        while True:
            began = time.monotonic()
            settings, problem = _reloaded(settings)
            notices.publish(settings.exchange, settings.course_id, settings.policy.extensions)
            result = serve_round(settings=settings, weeks=weeks, jobs=jobs, on_event=on_event)
            if problem:
                result.insert(0, Round(SETTINGS_FILE, skipped=problem))
            if on_round is not None:
                on_round(result)
            done += 1
            if rounds and done >= rounds:
                return
            sleep(max(0.0, interval - (time.monotonic() - began)))


def _reloaded(settings: CourseSettings) -> tuple[CourseSettings, str]:
    """``course.toml`` read again, so an extension or deadline changed while serving counts
    from the next round; a file that no longer reads keeps the last good settings and says
    why."""
    try:
        return CourseSettings.load(settings.root), ""
    except ClassroomError as error:
        return settings, f"{error}; still serving with the settings read before"


def feedback_page(folder: Path, week: str, timestamp: str) -> Path:
    """Where ``course fetch-feedback`` puts the page of the submission made at
    ``timestamp``."""
    return folder / week / "feedback" / timestamp / f"{week}.html"
