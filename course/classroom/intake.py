"""Turning what a student handed in into one module file the graders can run, or a refusal.

A submission is a folder (nbgrader's ``submitted/<student>/<week>/``) holding the week's
module ``<week>.py``, its notebook ``<week>.ipynb``, or both (jupytext keeps them paired).
When both are there the one saved last is graded, the notebook on a tie. Every refusal is a
:class:`SubmissionRefused` naming the student and the problem.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from course.classroom.notebooks import NotebookError, notebook_to_module
from course.classroom.settings import ClassroomError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
MAX_ARCHIVE_FILES = 1000


class SubmissionRefused(ClassroomError):
    """A submission that cannot be graded; the message names the student and the problem."""

    def __init__(self, student: str, problem: str) -> None:
        super().__init__(f"{student}: {problem}")
        self.student = student
        self.problem = problem


@dataclass(frozen=True)
class Prepared:
    """A submission ready to grade: the module's text and where it came from."""

    student: str
    source: Path
    module: str


def prepare(folder: Path, *, week: str, student: str) -> Prepared:
    """The module to grade from ``folder``, or :class:`SubmissionRefused`."""
    module_path, notebook_path = folder / f"{week}.py", folder / f"{week}.ipynb"
    candidates = [p for p in (notebook_path, module_path) if p.is_file() and not p.is_symlink()]
    if not folder.is_dir() or not candidates:
        present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        raise SubmissionRefused(
            student,
            f"no {week}.py or {week}.ipynb in the submission"
            + (f" (it holds: {', '.join(present[:10])})" if present else "")
            + "; submit the week's file under its released name",
        )
    chosen = max(candidates, key=lambda p: p.stat().st_mtime)  # notebook first on a tie
    text = read_text(chosen, student=student)
    if chosen.suffix == ".ipynb":
        try:
            text = notebook_to_module(text, name=chosen.name)
        except NotebookError as error:
            raise SubmissionRefused(student, str(error)) from error
        if not text.strip():
            raise SubmissionRefused(student, f"{chosen.name} has no code cells")
    return Prepared(student=student, source=chosen, module=text)


def read_text(path: Path, *, student: str) -> str:
    """A submitted file's UTF-8 text; empty, oversized or undecodable files are refused."""
    size = path.stat().st_size
    if size == 0:
        raise SubmissionRefused(student, f"{path.name} is empty")
    if size > MAX_FILE_BYTES:
        raise SubmissionRefused(
            student, f"{path.name} is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SubmissionRefused(
            student,
            f"{path.name} is not UTF-8 text (byte {error.start}); save it as UTF-8",
        ) from error
    if not text.strip():
        raise SubmissionRefused(student, f"{path.name} holds only blank space")
    return text


def safe_members(archive: zipfile.ZipFile, *, name: str) -> list[zipfile.ZipInfo]:
    """The files of an LMS download, after refusing anything unsafe in the whole archive.

    Refused: absolute paths, ``..`` components, symbolic links, more than
    :data:`MAX_ARCHIVE_FILES` files, or more than :data:`MAX_ARCHIVE_BYTES` uncompressed.
    """
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > MAX_ARCHIVE_FILES:
        raise ClassroomError(
            f"{name} holds {len(members):,} files; the limit is {MAX_ARCHIVE_FILES:,}"
        )
    total = sum(info.file_size for info in members)
    if total > MAX_ARCHIVE_BYTES:
        raise ClassroomError(
            f"{name} unpacks to {total:,} bytes; the limit is {MAX_ARCHIVE_BYTES:,}"
        )
    for info in archive.infolist():
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or info.filename.startswith(("/", "\\")) or ":" in path.parts[0]:
            raise ClassroomError(f"{name}: refusing absolute path {info.filename!r}")
        if ".." in path.parts:
            raise ClassroomError(f"{name}: refusing path with '..': {info.filename!r}")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ClassroomError(f"{name}: refusing symbolic link {info.filename!r}")
    return members
