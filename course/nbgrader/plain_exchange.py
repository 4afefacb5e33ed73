"""A student's fetch and submit through nbgrader's default exchange, without importing nbgrader.

Importing nbgrader's exchange takes seconds (its package loads nbgrader's server extensions,
SQLAlchemy, nbconvert and Jupyter's client), while a fetch or a submit is a few copies. The
two functions here do what nbgrader 0.9.6's ``ExchangeFetchAssignment`` (with
``replace_missing_files``) and ``ExchangeSubmit`` do with the settings
:mod:`course.nbgrader.exchange` gives them (nbgrader's defaults, no authenticator): the same
folders, names, files, modes, timestamps and log messages, in the same order.

They do it only when every check nbgrader makes before copying passes and every setting is
one they cover: otherwise (no such week, an exchange folder that cannot be written, a time
zone other than UTC, an id nbgrader would strip or refuse) they return ``None`` having
touched nothing, and the caller runs nbgrader, so each refusal and its message is nbgrader's
own. tests/nbgrader/test_plain_exchange.py runs both on the same folders and compares.
"""

from __future__ import annotations

import base64
import datetime as dt
import fnmatch
import logging
import os
import secrets
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from course.nbgrader.exchange import Place

log = logging.getLogger("course.nbgrader")

#: nbgrader's ``CourseDirectory`` defaults: names left out of every copy, the largest file
#: copied and the largest folder handed in (kilobytes of 1000 bytes).
IGNORE = (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback")
MAX_FILE_KB = 100000
MAX_DIR_KB = 100000
#: nbgrader's ``Exchange.timestamp_format``, in UTC.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
#: The modes nbgrader's submit gives the files and folders it hands in, and the submission's
#: own folder (everyone may write it, so the instructor can delete it later).
FILE_MODE, FOLDER_MODE, SUBMISSION_MODE = 0o644, 0o755, 0o777


@dataclass(frozen=True)
class Handed:
    """What a submit leaves for its caller: nbgrader's timestamp, who, and the cache folder."""

    timestamp: str
    student: str
    #: The course's folder in the student's submission cache (``<cache>/<course id>``).
    cache_path: Path


def fetch(place: Place) -> bool:
    """Copy the released week into ``assignment_dir/<week>``, or add the files missing there;
    ``False`` when nbgrader must do it (nothing was touched)."""
    source = _released(place)
    if place.assignment_dir is None or not _usable(place) or not _readable_dir(source):
        return False
    destination = os.path.abspath(os.path.join(place.assignment_dir, place.week))
    log.info("Source: %s", source)
    log.info("Destination: %s", destination)
    ignore = shutil.ignore_patterns(*IGNORE)
    if os.path.isdir(destination):
        _copy_if_missing(source, destination, ignore)
    else:
        shutil.copytree(source, destination, ignore=ignore)
    log.info("Fetched as: %s %s", place.course_id, place.week)
    return True


def submit(place: Place) -> Handed | None:
    """Hand in ``assignment_dir/<week>``: a copy to the exchange's inbound and one to the
    student's cache, each with ``timestamp.txt`` and ``submission_secret.txt``; ``None`` when
    nbgrader must do it (nothing was touched)."""
    if place.assignment_dir is None:
        return None
    student = place.student
    source = os.path.abspath(os.path.join(place.assignment_dir, place.week))
    inbound = os.path.join(place.exchange, place.course_id, "inbound")
    released = _released(place)
    if (
        not _usable(place)
        or not student
        or "*" in student
        or "+" in student
        or not os.path.isdir(source)
        or not _writable_dir(inbound)
        or not _readable_dir(released)
        or _size(source) > 1000 * MAX_DIR_KB
    ):
        return None
    cache = os.path.join(cache_root(place), place.course_id)
    timestamp = dt.datetime.now(dt.UTC).strftime(TIMESTAMP_FORMAT)
    secret = secrets.token_hex(64)
    name = f"{student}+{place.week}+{timestamp}"
    random_part = base64.urlsafe_b64encode(os.urandom(9)).decode("ascii")
    handed_in = os.path.join(inbound, f"{name}+{random_part}")
    cached = os.path.join(cache, name)
    log.info("Source: %s", source)
    log.info("Destination: %s", handed_in)
    _warn_of_notebook_differences(place.week, released=released, submitted=source)
    _copy_tree(source, handed_in)
    _write_receipt(handed_in, timestamp, secret)
    _set_modes(handed_in)
    os.chmod(handed_in, SUBMISSION_MODE)
    if not os.path.isdir(cache):
        os.makedirs(cache)
    _copy_tree(source, cached)
    _write_receipt(cached, timestamp, secret)
    log.info("Submitted as: %s %s %s", place.course_id, place.week, timestamp)
    return Handed(timestamp, student, Path(cache))


def _usable(place: Place) -> bool:
    """The settings and ids nbgrader would take as they are, and an exchange it would use."""
    week, course_id, student = place.week, place.course_id, place.student
    return (
        sys.platform != "win32"
        and place.timezone == "UTC"
        and course_id != ""
        and course_id == course_id.strip()
        and student == student.strip()
        and week != ""
        and week == week.strip()
        and week not in (".", "..")
        and "+" not in week
        and os.sep not in week
        and (os.altsep is None or os.altsep not in week)
        and _writable_dir(str(place.exchange))
    )


def _released(place: Place) -> str:
    return os.path.join(place.exchange, place.course_id, "outbound", place.week)


def _readable_dir(path: str) -> bool:
    return os.path.isdir(path) and os.access(path, os.R_OK | os.X_OK)


def _writable_dir(path: str) -> bool:
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)


def cache_root(place: Place) -> str:
    """nbgrader's submission cache: the place's, else ``<Jupyter data folder>/nbgrader_cache``."""
    if place.cache is not None:
        return str(place.cache)
    from jupyter_core.paths import jupyter_data_dir  # a few milliseconds, unlike nbgrader

    return os.path.join(jupyter_data_dir(), "nbgrader_cache")


def _size(root: str) -> int:
    """The bytes of the files under ``root``, symbolic links left out (nbgrader's count)."""
    total = 0
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                total += os.path.getsize(path)
    return total


def _copy_if_missing(
    source: str, destination: str, ignore: Callable[[str, list[str]], set[str]]
) -> None:
    """Copy what ``destination`` lacks of ``source``, with a warning for each."""
    names = sorted(os.listdir(source))
    names = sorted(set(names) - ignore(source, names))
    for name in names:
        from_path, to_path = os.path.join(source, name), os.path.join(destination, name)
        shown = os.path.relpath(to_path, os.getcwd())
        if not os.path.exists(to_path):
            if os.path.isdir(from_path):
                log.warning("Creating missing directory '%s'", shown)
                os.mkdir(to_path)
            else:
                log.warning("Replacing missing file '%s'", shown)
                shutil.copy(from_path, to_path)
        if os.path.isdir(from_path):
            _copy_if_missing(from_path, to_path, ignore)


def _copy_tree(source: str, destination: str) -> None:
    shutil.copytree(source, destination, ignore=_submit_ignore)


def _submit_ignore(folder: str, names: list[str]) -> list[str]:
    """What submit leaves out: the ignored names, and files over the size limit (warned of)."""
    ignored = []
    for name in names:
        path = os.path.join(folder, name)
        if any(fnmatch.fnmatch(name, pattern) for pattern in IGNORE):
            log.debug(
                "Ignoring excluded file '%s' (see config option CourseDirectory.ignore)", path
            )
            ignored.append(name)
        elif os.path.isfile(path) and os.path.getsize(path) > 1000 * MAX_FILE_KB:
            log.warning(
                "Ignoring file too large '%s' (see config option CourseDirectory.max_file_size)",
                path,
            )
            ignored.append(name)
    return ignored


def _write_receipt(folder: str, timestamp: str, secret: str) -> None:
    Path(folder, "timestamp.txt").write_text(timestamp, encoding="utf-8")
    Path(folder, "submission_secret.txt").write_text(secret, encoding="utf-8")


def _set_modes(root: str) -> None:
    """Files read-only to all but the owner, folders open to read (innermost first)."""
    folders = []
    for folder, _, files in os.walk(root):
        for name in files:
            os.chmod(os.path.join(folder, name), FILE_MODE)
        folders.append(folder)
    for folder in reversed(folders):
        os.chmod(folder, FOLDER_MODE)


def _notebooks(root: str) -> list[str]:
    """The ``.ipynb`` files under ``root``, relative to it, sorted (nbgrader's list)."""
    root = os.path.abspath(root)
    found = []
    for folder, _, files in os.walk(root):
        for name in files:
            if os.path.splitext(name)[-1] == ".ipynb":
                found.append(os.path.relpath(os.path.join(folder, name), root))
    return sorted(found)


def _warn_of_notebook_differences(week: str, *, released: str, submitted: str) -> None:
    """nbgrader's warning when the notebooks handed in are not those released."""
    expected, handed = _notebooks(released), _notebooks(submitted)
    if expected == handed:
        return
    tab = "\n\t"
    expected_lines = tab.join(
        f"{name}: {'FOUND' if name in handed else 'MISSING'}" for name in expected
    )
    handed_lines = tab.join(f"{name}: {'OK' if name in expected else 'EXTRA'}" for name in handed)
    listing = f"Expected:{tab}{expected_lines}\nSubmitted:{tab}{handed_lines}"
    log.warning(
        "Possible missing notebooks and/or extra notebooks submitted for assignment %s:\n%s",
        week,
        listing,
    )
