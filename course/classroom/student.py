"""The student's side of a course on nbgrader: fetch a week, submit it, fetch feedback.

Students have no course directory: they name the course and the exchange folder their
instructor gave them (options or ``$COURSE_ID`` and ``$COURSE_EXCHANGE``). Their student id
is their login name unless given.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

from course.classroom.intake import SubmissionRefused, prepare
from course.classroom.settings import ClassroomError

if TYPE_CHECKING:
    from course.nbgrader.exchange import Place


def _place(
    *,
    exchange: Path,
    course_id: str,
    week: str,
    student: str,
    directory: Path,
    cache: Path | None,
) -> Place:
    from course.nbgrader.exchange import Place

    if not exchange.is_dir():
        raise ClassroomError(
            f"the exchange folder {exchange} does not exist: ask your instructor for its "
            "path and pass it with --exchange (or set COURSE_EXCHANGE)"
        )
    return Place(
        exchange=exchange,
        course_id=course_id,
        week=week,
        student=student or getpass.getuser(),
        assignment_dir=directory.resolve(),
        cache=cache,
    )


def fetch(
    *,
    exchange: Path,
    course_id: str,
    week: str,
    student: str = "",
    directory: Path,
    cache: Path | None = None,
) -> Path:
    """Copy the released ``week`` into ``directory/<week>``; returns that folder."""
    from course.nbgrader import exchange as nbgrader_exchange

    place = _place(
        exchange=exchange,
        course_id=course_id,
        week=week,
        student=student,
        directory=directory,
        cache=cache,
    )
    return nbgrader_exchange.fetch(place)


def submit(
    *,
    exchange: Path,
    course_id: str,
    week: str,
    student: str = "",
    directory: Path,
    cache: Path | None = None,
) -> str:
    """Hand in ``directory/<week>`` after checking it holds a gradable file.

    Returns nbgrader's timestamp. A folder without the week's file, or with an empty, non
    UTF-8 or broken file, is refused here, before anything reaches the exchange.
    """
    from course.nbgrader import exchange as nbgrader_exchange

    folder = directory / week
    name = student or getpass.getuser()
    try:
        prepare(folder, week=week, student=name)
    except SubmissionRefused as refusal:
        raise ClassroomError(f"not submitted: {refusal.problem}") from refusal
    place = _place(
        exchange=exchange,
        course_id=course_id,
        week=week,
        student=student,
        directory=directory,
        cache=cache,
    )
    return nbgrader_exchange.submit(place)


def fetch_feedback(
    *,
    exchange: Path,
    course_id: str,
    week: str,
    student: str = "",
    directory: Path,
    cache: Path | None = None,
) -> list[Path]:
    """Copy released feedback pages into ``directory/<week>/feedback/<timestamp>/``."""
    from course.nbgrader import exchange as nbgrader_exchange

    place = _place(
        exchange=exchange,
        course_id=course_id,
        week=week,
        student=student,
        directory=directory,
        cache=cache,
    )
    folder = nbgrader_exchange.fetch_feedback(place)
    return sorted(folder.rglob("*.html")) if folder.is_dir() else []
