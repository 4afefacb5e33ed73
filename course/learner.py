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
from typing import TYPE_CHECKING

from course.config import CourseError, Week

if TYPE_CHECKING:
    from course.classroom.public import Manifest

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
    from course.classroom.notebooks import module_to_notebook, paired_module

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
    # The module jupytext keeps in step with the notebook (the same code, the assignment's
    # text as markdown cells), so that JupyterLab opens either with its markdown.
    module.write_text(paired_module(stub), encoding="utf-8")
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
    return as_stem_module(path, week.stem, scratch)


def as_stem_module(path: Path, stem: str, scratch: Path) -> Path:
    """:func:`as_module` for a week known by its name only (a fetched one)."""
    if path.suffix != ".ipynb":
        return path
    from course.classroom.notebooks import NotebookError, notebook_to_module

    try:
        source = notebook_to_module(path.read_text(encoding="utf-8"), name=str(path))
    except (NotebookError, UnicodeDecodeError) as error:
        raise CourseError(str(error)) from None
    module = scratch / f"{stem}.py"
    module.write_text(source, encoding="utf-8")
    return module


@dataclass(frozen=True)
class Fetched:
    """A week fetched from a class's exchange, with the public checks released with it."""

    folder: Path
    checks: Path
    manifest: Manifest

    @property
    def stem(self) -> str:
        return self.manifest.week

    @property
    def label(self) -> str:
        digits = "".join(ch for ch in self.stem.split("_")[0] if ch.isdigit())
        return f"week{int(digits):02d}" if digits else self.stem

    def file(self) -> Path:
        """The student's module or notebook in the week's folder (the later saved); a
        :class:`CourseError` when neither is there."""
        candidates = [
            path
            for path in (self.folder / f"{self.stem}.py", self.folder / f"{self.stem}.ipynb")
            if path.is_file()
        ]
        if not candidates:
            raise CourseError(
                f"no {self.stem}.py or {self.stem}.ipynb in {self.folder}: fetch the week "
                "again ('course fetch') or pass --submission"
            )
        return max(candidates, key=lambda path: (path.stat().st_mtime, path.suffix == ".py"))


def fetched_week(spec: str, directory: Path) -> Fetched | None:
    """The fetched week ``spec`` names (``2``, ``02``, ``week02`` or its full name) in
    ``directory`` or ``directory`` itself, when it holds public checks; else ``None``."""
    from course.classroom.public import CHECKS_FOLDER, Manifest

    wanted = spec.strip().lower()
    if wanted.isdigit():
        wanted = f"week{int(wanted):02d}"
    for folder in (directory, *sorted(path for path in directory.glob("week*") if path.is_dir())):
        checks = folder / CHECKS_FOLDER
        manifest = Manifest.read(checks)
        if manifest is None:
            continue
        stem = manifest.week.lower()
        if wanted in (stem, stem.split("_")[0]):
            return Fetched(folder, checks, manifest)
    return None


def scratch_folder() -> tempfile.TemporaryDirectory[str]:
    """A private folder for a notebook's module while it is graded."""
    return tempfile.TemporaryDirectory(prefix="course-notebook-")
