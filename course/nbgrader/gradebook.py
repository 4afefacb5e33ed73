"""Weeks, checks and scores in nbgrader's gradebook.

Each week is an nbgrader *assignment* with one *notebook* of the same name, and each check
of its graders is one *grade cell* worth the check's points, named by the check's id
written so that formgrader's page can find it (:func:`cell_name`: a pytest id's ``.``,
``:``, ``/``, ``[`` and ``]`` become look-alike letters). Two more cells belong to every
week: the grade cell :data:`LATE_PENALTY` (worth 0; a late submission's grade there is
minus its penalty, so formgrader's totals and ``nbgrader export``'s score are after the
penalty) and the solution cell :data:`SUBMISSION` (the student's code, for comments).

A graded submission is nbgrader's submitted assignment with one grade per check (its
``auto_score``). What an instructor changes in formgrader (a grade's ``manual_score`` and
``extra_credit``, a comment's ``manual_comment`` on a check's or the submission's
solution cell, the late penalty's grade) stays when the
submission is graded again; a changed score whose automatic score changed under it is
flagged for review (nbgrader's ``needs_manual_grade``). :func:`stored_grades` reads the
scores with those changes; :func:`manual_adjustments` says what was changed.

:func:`record` writes one submission in one transaction: all of it or, on any error,
nothing. Recording the same scores again updates the same rows; it never adds rows.
Checks and grades come and go as :class:`course.records.Check` and
:class:`course.records.StoredGrade`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from course.config import ClassroomError
from course.records import Adjustments, Check, StoredGrade

#: The grade cell that holds minus the late penalty (worth 0 points).
LATE_PENALTY = "late_penalty"
#: The solution cell of the student's code: formgrader's box for a comment on the whole.
SUBMISSION = "submission"
#: A pytest id's characters that formgrader's page cannot look up (``$("#" + name)``), and
#: the look-alike letters that stand for them in a cell's name.
_LOOK_ALIKES = {".": "\u2024", ":": "\ua789", "/": "\u2215", "[": "\u2045", "]": "\u2046"}
_ESCAPE = "\u00b7"  # any other character: its code point in hex between two of these
_SAFE = re.compile(r"[A-Za-z0-9_-]")
_ESCAPED = re.compile(f"{_ESCAPE}([0-9a-f]+){_ESCAPE}")


def cell_name(check_id: str) -> str:
    """The name of ``check_id``'s grade cell: the id with every character that a CSS id
    selector cannot hold written as a look-alike letter (``test_1.py::test_x`` ->
    ``test_1\u2024py\ua789\ua789test_x``) or, for the rare others, as its code point in hex
    between two ``\u00b7``. :func:`check_id` undoes it."""
    reserved = set(_LOOK_ALIKES.values()) | {_ESCAPE}
    if reserved & set(check_id):
        raise ClassroomError(
            f"check id {check_id!r} holds a character the gradebook reserves "
            f"({''.join(sorted(reserved & set(check_id)))}); rename the check"
        )
    return "".join(
        character
        if _SAFE.match(character) or ord(character) > 0xA0
        else _LOOK_ALIKES.get(character, f"{_ESCAPE}{ord(character):x}{_ESCAPE}")
        for character in check_id
    )


def check_id(name: str) -> str:
    """The check id of the grade cell ``name`` (:func:`cell_name` undone)."""
    text = _ESCAPED.sub(lambda found: chr(int(found.group(1), 16)), name)
    for character, look_alike in _LOOK_ALIKES.items():
        text = text.replace(look_alike, character)
    return text


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
    """Create or update the week's assignment, notebook, one grade cell per check, and the
    late penalty's and the submission's cells (see the module docstring)."""
    too_long = [check.id for check in checks if len(cell_name(check.id)) > 128]
    if too_long:
        raise ClassroomError(f"check ids longer than 128 characters: {too_long}")
    with opened(url, course_id) as gradebook:
        gradebook.update_or_create_assignment(week, duedate=_naive_utc(due))
        gradebook.update_or_create_notebook(week, week)
        for check in checks:
            gradebook.update_or_create_grade_cell(
                cell_name(check.id), week, week, max_score=check.max_points, cell_type="code"
            )
        _declare_own_cells(gradebook, week, [cell_name(check.id) for check in checks])


def _declare_own_cells(gradebook: Any, week: str, names: Sequence[str]) -> None:
    """A solution cell beside each check's grade cell, as nbgrader keeps an answer that is
    graded by hand (what formgrader's comments belong to); the submission's solution cell;
    and the late penalty's grade cell (markdown, so nbgrader never counts it as a failed
    test)."""
    for name in [*names, SUBMISSION]:
        gradebook.update_or_create_solution_cell(name, week, week)
    gradebook.update_or_create_grade_cell(
        LATE_PENALTY, week, week, max_score=0.0, cell_type="markdown"
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

    ``scores``: points per check id; ``penalty``: the late penalty in points.
    ``comments``: an automatic comment per check id (formgrader shows it beside the grade);
    the automatic comments of the other checks are cleared. Every check and the submission
    get a comment row, so that formgrader's comment boxes can save what an instructor types.
    """
    from nbgrader.api import (
        Comment,
        Grade,
        GradeCell,
        Notebook,
        SolutionCell,
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
            answers = {
                cell.name: cell for cell in session.query(SolutionCell).filter_by(notebook=notebook)
            }
            checks = sorted(set(cells) - {LATE_PENALTY})
            if LATE_PENALTY not in cells or {*checks, SUBMISSION} != set(answers):
                # a week released by an older course, without the penalty's and comments' cells
                _declare_own_cells(gradebook, week, checks)
                cells = {
                    cell.name: cell
                    for cell in session.query(GradeCell).filter_by(notebook=notebook)
                }
                answers = {
                    cell.name: cell
                    for cell in session.query(SolutionCell).filter_by(notebook=notebook)
                }
            points = {cell_name(check): value for check, value in scores.items()}
            unknown = sorted(check for check in scores if cell_name(check) not in cells)
            if unknown:
                raise ClassroomError(
                    f"{student}: checks not declared for {week}: {unknown}; run "
                    f"'course release {week}' after changing its graders"
                )
            points[LATE_PENALTY] = -float(penalty)
            remarks_by_cell = {cell_name(check): text for check, text in (comments or {}).items()}
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
            # The penalty is the late penalty cell's grade; nbgrader's own column stays 0,
            # or nbgrader export would take it off twice.
            submitted.late_submission_penalty = 0.0
            existing = {grade.cell_id: grade for grade in submitted.grades}
            remarks = {comment.cell_id: comment for comment in submitted.comments}
            for name, answer in answers.items():
                remark = remarks.get(answer.id) or Comment(cell_id=answer.id, notebook=submitted)
                remark.auto_comment = remarks_by_cell.get(name)
                session.add(remark)
            for name, cell in cells.items():
                grade = existing.get(cell.id) or Grade(cell_id=cell.id, notebook=submitted)
                score = float(points.get(name, 0.0))
                changed = grade.auto_score is not None and grade.auto_score != score
                grade.auto_score = score
                # nbgrader's rule: a score given by hand stays; flagged when the
                # automatic score under it changed.
                grade.needs_manual_grade = grade.manual_score is not None and (
                    changed or bool(grade.needs_manual_grade)
                )
                session.add(grade)
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
    """Every graded submission of ``week``, by student id, with what an instructor changed
    in formgrader (scores, extra credit, the late penalty)."""
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
                penalty += notebook.late_submission_penalty or 0.0  # an older course's
                for grade in notebook.grades:
                    if grade.cell.name == LATE_PENALTY:
                        penalty -= float(grade.score or 0.0)
                    else:
                        scores[check_id(grade.cell.name)] = float(grade.score or 0.0)
            rows.append(
                StoredGrade(
                    student=submission.student.id,
                    week=week,
                    timestamp=submission.timestamp,
                    scores=scores,
                    raw_score=round(sum(scores.values()), 6),
                    penalty=round(max(0.0, penalty), 6),
                    max_score=float(assignment.max_score),
                )
            )
    return rows


def manual_adjustments(url: str, course_id: str, week: str) -> dict[str, Adjustments]:
    """What instructors changed by hand in formgrader on ``week``, by student id: scores
    given (extra credit included) where a check's points were changed, comments typed, and
    the late penalty where it was changed. Students without changes are left out."""
    from nbgrader.api import MissingEntry

    found: dict[str, Adjustments] = {}
    with opened(url, course_id) as gradebook:
        try:
            assignment = gradebook.find_assignment(week)
        except MissingEntry:
            return {}
        for submission in assignment.submissions:
            scores: dict[str, float] = {}
            comments: dict[str, str] = {}
            penalty = None
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.manual_score is None and not grade.extra_credit:
                        continue
                    if grade.cell.name == LATE_PENALTY:
                        penalty = max(0.0, -float(grade.score or 0.0))
                    else:
                        scores[check_id(grade.cell.name)] = float(grade.score or 0.0)
                for comment in notebook.comments:
                    text = (comment.manual_comment or "").strip()
                    if text:
                        name = comment.cell.name
                        comments["" if name == SUBMISSION else check_id(name)] = text
            adjustments = Adjustments(scores=scores, comments=comments, penalty=penalty)
            if adjustments:
                found[submission.student.id] = adjustments
    return found


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
            (
                Check(check_id(cell.name), float(cell.max_score))
                for cell in cells
                if cell.name != LATE_PENALTY
            ),
            key=lambda check: check.id,
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
