"""Each student's own deadlines, delivered through the exchange so no one else can read them.

The released ``course-policy.json`` holds a week's rules as every student may know them. An
extension is one student's business, so it travels another way, the way nbgrader's exchange
keeps submissions and feedback apart: by names nobody else can list.

* **Addresses.** ``course fetch`` and ``course submit`` leave an empty file
  ``<exchange>/<course>/addresses/<student>+<random>``. Students may write in that folder
  but not list it (mode 733), and the random part stays on the student's machine, in their
  submission cache.
* **Notices.** The instructor's ``course release``, ``course extensions`` and every round of
  ``course serve`` write, for each address, ``<exchange>/<course>/notices/<random>.json``
  with that student's extensions. Anyone may pass through that folder, no one but the
  instructor may list it (mode 711), so only the holder of the random part finds the file.
* **Reading.** ``course fetch`` and ``course submit`` read the student's notice: the
  deadline they print and warn by is then the student's own.

An address counts only when its file belongs to the login it names, or to the instructor's
own account (a course run from one account, where nothing is private from anyone using it).
A file left under another student's name gets no notice. Until the instructor's side has
seen a student's address, that student's warnings say an extension would still apply.

Plain files and the standard library only: ``fetch`` and ``submit`` stay fast.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
from dataclasses import dataclass
from pathlib import Path

from course.config import ClassroomError

ADDRESSES, NOTICES = "addresses", "notices"
#: Students write addresses without listing them; anyone passes through to a notice.
ADDRESSES_MODE, NOTICES_MODE, NOTICE_MODE = 0o733, 0o711, 0o644
_ADDRESS_CHARS = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Published:
    """What :func:`publish` did: students sent a notice, and those with extensions whose
    address it has not seen (they have not fetched or submitted since)."""

    sent: tuple[str, ...]
    waiting: tuple[str, ...]


def publish(exchange: Path, course_id: str, extensions: dict[str, dict[str, float]]) -> Published:
    """Write a notice for every trusted address in the course's exchange: that student's
    extra days per week (an empty table for a student without any, so an extension taken
    back is taken back on their side too)."""
    course = exchange / course_id
    addresses, notices = course / ADDRESSES, course / NOTICES
    for folder, mode in ((addresses, ADDRESSES_MODE), (notices, NOTICES_MODE)):
        folder.mkdir(parents=True, exist_ok=True)
        if folder.is_symlink() or folder.stat().st_uid != os.getuid():
            raise ClassroomError(
                f"{folder} belongs to another login, who could list what is in it: remove "
                "it (students' addresses and notices are made again) and run 'course "
                "extensions'"
            )
        folder.chmod(mode)
    sent: set[str] = set()
    for entry in sorted(addresses.iterdir()):
        student, _, address = entry.name.rpartition("+")
        if not student or not _is_address(address) or not _trusted(entry, student):
            continue
        notice = notices / f"{address}.json"
        partial = notices / f".{address}.partial"
        text = json.dumps({"student": student, "extensions": extensions.get(student, {})})
        partial.write_text(text + "\n", encoding="utf-8")
        partial.chmod(NOTICE_MODE)
        os.replace(partial, notice)  # a student reading it never sees half a notice
        sent.add(student)
    waiting = tuple(sorted(student for student in extensions if student not in sent))
    return Published(tuple(sorted(sent)), waiting)


def register(exchange: Path, course_id: str, student: str, cache: Path) -> str | None:
    """Leave this student's address in the exchange (once; again if it went missing) and
    keep its random part in ``cache`` (the course's folder of the submission cache).
    ``None`` when the exchange has no address folder (released by an older ``course``)."""
    addresses = exchange / course_id / ADDRESSES
    if not addresses.is_dir():
        return None
    address = _address(cache, student) or secrets.token_hex(16)
    kept = cache / _address_file(student)
    if not kept.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        kept.write_text(address + "\n", encoding="utf-8")
        kept.chmod(0o600)
    entry = addresses / f"{student}+{address}"
    if not entry.exists():
        try:
            entry.touch(mode=0o644)
        except OSError:
            return None  # a read-only exchange: the warnings keep their hedge
    return address


def extensions_for(
    exchange: Path, course_id: str, student: str, cache: Path
) -> dict[str, float] | None:
    """This student's extra days per week, as the instructor last published them; ``None``
    when there is no notice for them yet (nothing is known, not "no extension")."""
    address = _address(cache, student)
    if address is None:
        return None
    try:
        data = json.loads((exchange / course_id / NOTICES / f"{address}.json").read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("student") != student:
        return None
    table = data.get("extensions")
    if not isinstance(table, dict):
        return None
    return {
        str(week): float(days)
        for week, days in table.items()
        if isinstance(days, int | float) and not isinstance(days, bool)
    }


def _address_file(student: str) -> str:
    return f".course-address-{student}"


def _address(cache: Path, student: str) -> str | None:
    try:
        address = (cache / _address_file(student)).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return address if _is_address(address) else None


def _is_address(text: str) -> bool:
    return len(text) == 32 and set(text) <= _ADDRESS_CHARS


def _trusted(entry: Path, student: str) -> bool:
    """Whether ``entry`` was left by ``student``: owned by that login, or by this account."""
    try:
        owner = entry.lstat().st_uid
    except OSError:
        return False
    if owner == os.getuid():
        return True
    try:
        return pwd.getpwuid(owner).pw_name == student
    except KeyError:
        return False
