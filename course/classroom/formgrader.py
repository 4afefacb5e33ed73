"""nbgrader's own Autograde and Generate Feedback, made to do what ``course`` does.

``course init`` writes an ``nbgrader_config.py`` that names these two classes
(:data:`course.classroom.settings.NBGRADER_CONFIG_TEXT`), so formgrader's buttons,
``nbgrader autograde`` and ``nbgrader generate_feedback`` give the same gradebook and the
same pages as ``course autograde`` and ``course feedback``:

* :class:`GradeWithCourse`, Autograde's only preprocessor: instead of running the
  submitted notebook in a kernel (outside any sandbox, and on a notebook that may be older
  than the student's module), it grades the student's submission with
  :func:`course.classroom.workflow.autograde`, which records the grades and writes the
  autograded notebook that formgrader shows (:mod:`course.nbgrader.formgrader`), and hands
  that notebook to nbgrader to keep;
* :class:`FeedbackPage`, Generate Feedback's exporter: the page ``course feedback`` writes,
  with what the instructor changed in formgrader, instead of a render of the notebook.

nbgrader runs them with the course directory as the current folder and the student and
week in ``resources["nbgrader"]``. Subclasses of nbconvert's classes: nothing here imports
nbgrader.
"""

from __future__ import annotations

import filecmp
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters import Exporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode

from course.classroom.settings import ClassroomError, CourseSettings
from course.classroom.workflow import SECRET_FILE, autograde, write_feedback_page
from course.config import Layout, Week, find_root
from course.nbgrader.timestamps import TIMESTAMP_FILE


def _submission(resources: dict[str, Any]) -> tuple[CourseSettings, Week, str]:
    """The course directory (nbgrader's current folder), the week and the student."""
    info = resources.get("nbgrader") or {}
    student, week = info.get("student"), info.get("assignment")
    if not student or not week:
        raise ClassroomError("nbgrader gave no student and assignment to grade")
    return CourseSettings.load(Path.cwd()), Layout(find_root()).week(week), student


class GradeWithCourse(Preprocessor):
    """Grade the student's submission with ``course autograde`` and return the autograded
    notebook it wrote (see the module docstring)."""

    #: nbgrader registers its preprocessors without enabling them (nbconvert's default).
    enabled = Bool(True).tag(config=True)
    allow_reduced_isolation = Bool(
        False,
        help="Grade even where a sandbox protection is missing, as 'course autograde "
        "--allow-reduced-isolation' does.",
    ).tag(config=True)

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        settings, week, student = _submission(resources)
        target = settings.directory("autograded", week.stem, student)
        _remove_source_copies(settings.directory("source", week.stem), target)
        (outcome,) = autograde(
            settings=settings,
            week=week,
            student=student,
            force=True,
            allow_reduced_isolation=self.allow_reduced_isolation,
        )
        if outcome.status == "failed":
            raise ClassroomError(f"{student}: {outcome.message}")
        self.log.info(
            "course graded %s's %s: %g / %g (late penalty %g)",
            student,
            week.stem,
            outcome.score,
            outcome.max_score,
            outcome.penalty,
        )
        return nbformat.read(target / f"{week.stem}.ipynb", as_version=4), resources


def _remove_source_copies(source: Path, target: Path) -> None:
    """nbgrader's Autograde copies the instructor's files of the week (``source/<week>/``:
    the solution's module) over the student's: remove them before grading, so that a
    submission that cannot be graded never leaves the solution as the student's code."""
    if not source.is_dir():
        return
    for original in source.rglob("*"):
        copy = target / original.relative_to(source)
        if original.is_file() and copy.is_file() and filecmp.cmp(original, copy, shallow=False):
            copy.unlink()


class FeedbackPage(Exporter):
    """Generate Feedback's exporter: ``course feedback``'s page for the student (see the
    module docstring). nbgrader writes it to ``feedback/<student>/<week>/<week>.html``."""

    output_mimetype = "text/html"
    file_extension = Unicode(".html")

    def from_notebook_node(  # type: ignore[override]  # a page, as HTML exporters return
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        from course.nbgrader.gradebook import manual_adjustments

        nb, resources = super().from_notebook_node(nb, resources, **kw)
        settings, week, student = _submission(resources)
        adjustments = manual_adjustments(settings.database_url, settings.course_id, week.stem)
        page = write_feedback_page(
            settings=settings, week=week, student=student, adjustments=adjustments.get(student)
        )
        if page is None:
            raise ClassroomError(
                f"{student}'s {week.stem} has no course results: run 'course autograde "
                f"{week.stem} --student {student}' first"
            )
        # nbgrader copied the autograded folder here (results.json holds the hidden checks'
        # messages): keep only the page and what the release of feedback reads.
        for path in page.parent.iterdir():
            if path.is_file() and path.name not in (page.name, TIMESTAMP_FILE, SECRET_FILE):
                path.unlink()
        resources["output_extension"] = ".html"
        return page.read_text(encoding="utf-8"), resources
