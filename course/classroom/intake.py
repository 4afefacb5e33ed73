"""Turning what a student handed in into one module file the graders can run, or a refusal.

A submission is a folder (nbgrader's ``submitted/<student>/<week>/``) holding the week's
module ``<week>.py``, its notebook ``<week>.ipynb``, or both (jupytext keeps them paired).
When both are there the one saved last is graded, the notebook on a tie. Every refusal is a
:class:`SubmissionRefused` naming the student and the problem.
"""

from __future__ import annotations

import hmac
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from course.classroom.notebooks import NotebookError, notebook_to_module
from course.classroom.settings import ClassroomError

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
MAX_ARCHIVE_FILES = 1000
#: The compression methods an LMS download is unpacked from. zipfile bounds the memory of
#: these two; a bzip2 or LZMA member is unpacked a whole chunk at a time (a 337-byte member
#: took 400 MB), so those are refused.
READABLE_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_REDOWNLOAD = "nothing was imported. Download the archive again from the LMS and import that one"


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


def submission_seed(secret: str, *, week: str, digest: str) -> int:
    """The seed a submission's checks draw their inputs from, keyed by ``secret`` (the
    course's, or a Gradescope bundle's): the same for a re-grade of the same file (its
    ``digest``), unpredictable without the secret."""
    message = f"{week}\0{digest}".encode()
    return int.from_bytes(hmac.digest(secret.encode(), message, "sha256")[:4], "big") & 0x7FFFFFFF


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


def read_members(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], *, name: str
) -> list[bytes]:
    """The bytes of each of ``members``, all read and checked before any is used.

    The sizes an archive declares are not trusted: each member is read by
    :func:`read_member`, and the bytes actually unpacked count against
    :data:`MAX_ARCHIVE_BYTES`. The first damaged member refuses the whole archive
    (:class:`ClassroomError` naming it).
    """
    contents: list[bytes] = []
    total = 0
    for info in members:
        data = read_member(archive, info, name=name)
        total += len(data)
        if total > MAX_ARCHIVE_BYTES:
            raise ClassroomError(
                f"{name} unpacks to more than {MAX_ARCHIVE_BYTES:,} bytes, the limit; nothing "
                "was imported. Split it into smaller archives"
            )
        contents.append(data)
    return contents


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str) -> bytes:
    """One member's bytes, read in full and checked, or a :class:`ClassroomError` naming it.

    Read with a cap of one byte more than its declared size, which must be at most
    :data:`MAX_FILE_BYTES`, so memory stays bounded whatever the header says. Refused:
    an encrypted member, a compression other than those in :data:`READABLE_COMPRESSION`,
    and damage: a checksum (CRC-32) that does not match, data that cannot be unpacked or
    ends early, or a size other than the one the header declares.
    """
    member = f"{name}: {info.filename!r}"
    encrypted = (
        f"{member} is encrypted; nothing was imported. Unpack the archive with its password "
        "and zip it again without one"
    )
    if info.flag_bits & 0x1:
        raise ClassroomError(encrypted)
    if info.compress_type not in READABLE_COMPRESSION:
        raise ClassroomError(
            f"{member} uses compression method {info.compress_type}, which import-zip does not "
            f"unpack (only {' and '.join(READABLE_COMPRESSION.values())}); nothing was imported. "
            "Unpack the archive and zip it again with ordinary zip compression"
        )
    if info.file_size > MAX_FILE_BYTES:  # callers report and skip these first
        raise ClassroomError(
            f"{member} is {info.file_size:,} bytes; the limit is {MAX_FILE_BYTES:,}"
        )
    try:
        with archive.open(info) as opened:
            data = opened.read(min(info.file_size, MAX_FILE_BYTES) + 1)
    except NotImplementedError as error:  # e.g. strong encryption, patched data
        raise ClassroomError(
            f"{member} cannot be unpacked: zipfile does not support {error}; nothing was "
            "imported. Unpack the archive and zip it again, without a password, with ordinary "
            "zip compression"
        ) from error
    except RuntimeError as error:  # zipfile's word for "encrypted" (after its subclass above)
        raise ClassroomError(encrypted) from error
    except zipfile.BadZipFile as error:  # a CRC-32 mismatch or a broken header
        raise ClassroomError(f"{member} is damaged ({error}); {_REDOWNLOAD}") from error
    except (zlib.error, EOFError, OSError, ValueError) as error:
        raise ClassroomError(
            f"{member} is damaged: it cannot be unpacked ({type(error).__name__}: {error}); "
            f"{_REDOWNLOAD}"
        ) from error
    if len(data) != info.file_size:
        raise ClassroomError(
            f"{member} is damaged: it unpacks to {len(data):,} bytes, not the "
            f"{info.file_size:,} its header declares; {_REDOWNLOAD}"
        )
    return data
