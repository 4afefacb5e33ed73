"""Weeks, checks and scores in nbgrader's gradebook.

Each week is an nbgrader *assignment* with one *notebook* of the same name, and each check
of its graders is one *grade cell* named by the check's id, worth the check's points. A
graded submission is nbgrader's submitted assignment with one grade per check (its
``auto_score``) and the late penalty on the submitted notebook, where nbgrader keeps it.
So ``nbgrader formgrader`` lists every check with its points, and ``nbgrader export``
writes raw score, penalty and score per student and week.

:func:`record` writes one submission in one transaction: all of it or, on any error,
nothing. Recording the same scores again updates the same rows; it never adds rows.
Checks and grades come and go as :class:`course.records.Check` and
:class:`course.records.StoredGrade`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from course.config import ClassroomError
from course.records import Check, StoredGrade


@contextmanager
def opened(url: str, course_id: str) -> Iterator[Any]:
    """nbgrader's ``Gradebook`` on ``url``; connection problems become a ClassroomError."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SQLAlchemyError

    try:
        gradebook = Gradebook(url, course_id)
    except (SQLAlchemyError, ImportError, ValueError) as error:
        raise ClassroomError(
            f"cannot open the gradebook {_safe_url(url)}: {error}. Check [course] database "
            "in course.toml (an SQLAlchemy URL; PostgreSQL needs a running server)."
        ) from error
    try:
        yield gradebook
    finally:
        gradebook.close()


def declare_week(
    url: str, course_id: str, week: str, checks: Sequence[Check], due: dt.datetime | None
) -> None:
    """Create or update the week's assignment, notebook and one grade cell per check."""
    too_long = [check.id for check in checks if len(check.id) > 128]
    if too_long:
        raise ClassroomError(f"check ids longer than 128 characters: {too_long}")
    with opened(url, course_id) as gradebook:
        gradebook.update_or_create_assignment(week, duedate=_naive_utc(due))
        gradebook.update_or_create_notebook(week, week)
        for check in checks:
            gradebook.update_or_create_grade_cell(
                check.id, week, week, max_score=check.max_points, cell_type="code"
            )


def set_due_date(url: str, course_id: str, week: str, due: dt.datetime | None) -> None:
    """Keep nbgrader's due date of ``week`` equal to course.toml's deadline."""
    with opened(url, course_id) as gradebook:
        gradebook.update_or_create_assignment(week, duedate=_naive_utc(due))


def record(
    url: str,
    course_id: str,
    *,
    week: str,
    student: str,
    timestamp: dt.datetime | None,
    scores: Mapping[str, float],
    penalty: float,
    comments: Mapping[str, str] | None = None,
) -> None:
    """Write one graded submission in one transaction (see the module docstring).

    ``comments``: an automatic comment per check id (nbgrader shows it beside the grade);
    the comments of the other checks are cleared.
    """
    from nbgrader.api import (
        Comment,
        Grade,
        GradeCell,
        Notebook,
        Student,
        SubmittedAssignment,
        SubmittedNotebook,
    )
    from sqlalchemy.exc import SQLAlchemyError

    with opened(url, course_id) as gradebook:
        session = gradebook.db
        try:
            assignment = gradebook.find_assignment(week)
            notebook = session.query(Notebook).filter_by(name=week, assignment=assignment).one()
            cells = {
                cell.name: cell for cell in session.query(GradeCell).filter_by(notebook=notebook)
            }
            unknown = sorted(set(scores) - set(cells))
            if unknown:
                raise ClassroomError(
                    f"{student}: checks not declared for {week}: {unknown}; run "
                    f"'course release {week}' after changing its graders"
                )
            person = session.get(Student, student) or Student(id=student)
            session.add(person)
            submission = (
                session.query(SubmittedAssignment)
                .filter_by(assignment=assignment, student=person)
                .one_or_none()
            )
            if submission is None:
                submission = SubmittedAssignment(assignment=assignment, student=person)
                session.add(submission)
            submission.timestamp = _naive_utc(timestamp)
            submitted = (
                session.query(SubmittedNotebook)
                .filter_by(assignment=submission, notebook=notebook)
                .one_or_none()
            )
            if submitted is None:
                submitted = SubmittedNotebook(assignment=submission, notebook=notebook)
                session.add(submitted)
            submitted.late_submission_penalty = penalty
            existing = {grade.cell_id: grade for grade in submitted.grades}
            remarks = {comment.cell_id: comment for comment in submitted.comments}
            for name, cell in cells.items():
                grade = existing.get(cell.id) or Grade(cell_id=cell.id, notebook=submitted)
                grade.auto_score = float(scores.get(name, 0.0))
                grade.manual_score = None
                grade.needs_manual_grade = False
                session.add(grade)
                text = (comments or {}).get(name)
                remark = remarks.get(cell.id)
                if text is not None or remark is not None:
                    remark = remark or Comment(cell_id=cell.id, notebook=submitted)
                    remark.auto_comment = text
                    session.add(remark)
            session.commit()
        except ClassroomError:
            session.rollback()
            raise
        except SQLAlchemyError as error:
            session.rollback()
            raise ClassroomError(
                f"{student}: the gradebook refused the grades of {week} ({error}); nothing "
                "was written for this submission"
            ) from error


def stored_grades(url: str, course_id: str, week: str) -> list[StoredGrade]:
    """Every graded submission of ``week``, by student id."""
    from nbgrader.api import MissingEntry

    rows = []
    with opened(url, course_id) as gradebook:
        try:
            assignment = gradebook.find_assignment(week)
        except MissingEntry:
            return []
        for submission in sorted(assignment.submissions, key=lambda s: s.student.id):
            scores: dict[str, float] = {}
            penalty = 0.0
            for notebook in submission.notebooks:
                penalty += notebook.late_submission_penalty or 0.0
                for grade in notebook.grades:
                    scores[grade.cell.name] = float(grade.score or 0.0)
            rows.append(
                StoredGrade(
                    student=submission.student.id,
                    week=week,
                    timestamp=submission.timestamp,
                    scores=scores,
                    raw_score=round(sum(scores.values()), 6),
                    penalty=round(penalty, 6),
                    max_score=float(assignment.max_score),
                )
            )
    return rows


def _naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """nbgrader stores naive UTC datetimes."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return str(make_url(url).render_as_string(hide_password=True))
    except Exception:  # an unparsable URL: show its scheme only
        return url.split(":", 1)[0] + "://..."


def declared_checks(url: str, course_id: str, week: str) -> list[Check]:
    """The week's grade cells (checks and points), ordered by check id."""
    from nbgrader.api import GradeCell, MissingEntry, Notebook

    with opened(url, course_id) as gradebook:
        try:
            assignment = gradebook.find_assignment(week)
        except MissingEntry:
            return []
        notebook = (
            gradebook.db.query(Notebook).filter_by(name=week, assignment=assignment).one_or_none()
        )
        if notebook is None:
            return []
        cells = gradebook.db.query(GradeCell).filter_by(notebook=notebook).all()
        # nbgrader keeps no order; check ids start with their grader file (test_1_..., ...).
        return sorted(
            (Check(cell.name, float(cell.max_score)) for cell in cells), key=lambda check: check.id
        )


def import_students(
    url: str, course_id: str, students: Sequence[tuple[str, str | None, str | None, str | None]]
) -> tuple[int, int]:
    """Add or update ``(id, first name, last name, email)`` in nbgrader's student table;
    how many were new and how many updated."""
    added = updated = 0
    with opened(url, course_id) as gradebook:
        known = {student.id for student in gradebook.students}
        for student_id, first, last, email in students:
            gradebook.update_or_create_student(
                student_id, first_name=first, last_name=last, email=email
            )
            if student_id in known:
                updated += 1
            else:
                added += 1
    return added, updated


def student_names(url: str, course_id: str) -> dict[str, tuple[str, str, str]]:
    """Each student's first name, last name and email from nbgrader's student table (empty
    strings where unknown)."""
    with opened(url, course_id) as gradebook:
        return {
            student.id: (student.first_name or "", student.last_name or "", student.email or "")
            for student in gradebook.students
        }
