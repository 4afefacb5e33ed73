"""A learner's workspace: the folder ``course start`` makes and ``course check`` looks in.

``course start 2`` copies week 2's stub module and its notebook into ``DIR/week02_<topic>/``,
the same layout ``course fetch`` makes for a class's student, so the course's own files
(``assignments/``) are never where anyone works. Nothing here overwrites a file that exists.

``course check 2`` run in ``DIR`` (or in the week's folder, or with ``--dir``) grades the
workspace's copy: the module, or the notebook when it was saved after the module (JupyterLab
without jupytext saves only the notebook). A notebook is graded as the module its code cells
make (:func:`course.classroom.notebooks.notebook_to_module`).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from course.config import CourseError, Week

#: Written by ``course start`` into the week's folder: a self-learner's workspace.
START_MARKER = ".course-start.json"


@dataclass(frozen=True)
class Started:
    """What ``course start`` made: the week's folder and the files in it."""

    folder: Path
    module: Path
    notebook: Path


def start(week: Week, directory: Path) -> Started:
    """Copy ``week``'s stub module and notebook into ``directory/<week stem>/``.

    Raises :class:`CourseError` when either file is there already: the learner's work
    stays as it is.
    """
    from course.classroom.notebooks import module_to_notebook

    folder = directory / week.stem
    module = folder / f"{week.stem}.py"
    notebook = folder / f"{week.stem}.ipynb"
    present = [path for path in (module, notebook) if path.exists()]
    if present:
        names = " and ".join(path.name for path in present)
        raise CourseError(
            f"{folder} already holds {names}: nothing was changed. Check your work with "
            f"'course check {week.number}' there; to start over, move the folder away first"
        )
    stub = week.assignment.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    module.write_text(stub, encoding="utf-8")
    notebook.write_text(module_to_notebook(stub), encoding="utf-8")
    marker = {"week": week.stem, "started": datetime.now(UTC).isoformat(timespec="seconds")}
    (folder / START_MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
    return Started(folder, module, notebook)


def locate(week: Week, directory: Path) -> Path | None:
    """The learner's file of ``week`` in ``directory`` (the workspace, or the week's own
    folder): its module, or its notebook when that was saved later; ``None`` when neither
    is there."""
    for folder in (directory / week.stem, directory):
        module = folder / f"{week.stem}.py"
        notebook = folder / f"{week.stem}.ipynb"
        if folder.resolve() == week.assignment.parent.resolve():
            continue  # the course's own stubs are not a workspace
        candidates = [path for path in (module, notebook) if path.is_file()]
        if candidates:
            return max(candidates, key=lambda path: (path.stat().st_mtime, path.suffix == ".py"))
    return None


def choose(
    week: Week, *, submission: Path | None, directory: Path | None
) -> tuple[Path, str | None]:
    """The file ``course check`` grades, and a note for the learner when it is the course's
    own stub: ``submission`` when given, else the workspace's file (:func:`locate`)."""
    if submission is not None:
        return submission, None
    where = directory if directory is not None else Path.cwd()
    found = locate(week, where)
    if found is not None:
        return found, None
    return week.assignment, (
        f"No copy of {week.stem} in {where}: grading the course's own stub. Run "
        f"'course start {week.number}' for a copy of your own to work on."
    )


def as_module(path: Path, week: Week, scratch: Path) -> Path:
    """``path`` itself for a module; for a notebook, the module its code cells make,
    written into ``scratch`` under the week's module name. Raises :class:`CourseError`
    for a notebook that cannot be read."""
    if path.suffix != ".ipynb":
        return path
    from course.classroom.notebooks import NotebookError, notebook_to_module

    try:
        source = notebook_to_module(path.read_text(encoding="utf-8"), name=str(path))
    except (NotebookError, UnicodeDecodeError) as error:
        raise CourseError(str(error)) from None
    module = scratch / f"{week.stem}.py"
    module.write_text(source, encoding="utf-8")
    return module


def scratch_folder() -> tempfile.TemporaryDirectory[str]:
    """A private folder for a notebook's module while it is graded."""
    return tempfile.TemporaryDirectory(prefix="course-notebook-")
