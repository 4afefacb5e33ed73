"""``course roster import FILE.csv``: the class's students, with their names and emails, in
nbgrader's student table (so formgrader and exports show names, not ids alone).

The file is CSV with a header naming the columns ``id``, ``first_name``, ``last_name`` and
``email`` (``student_id``, ``first``, ``last`` are understood too; other columns are
ignored). Every row is checked before anything is written: an empty or repeated id, an id
nbgrader cannot use in a submission's name, or an email without ``@`` is refused with its
line number, and nothing is imported.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from course.classroom.settings import ClassroomError

#: The header names understood for each column.
COLUMNS = {
    "id": ("id", "student_id", "student"),
    "first_name": ("first_name", "first", "given_name"),
    "last_name": ("last_name", "last", "family_name", "surname"),
    "email": ("email", "e-mail", "mail"),
}
#: What nbgrader accepts in a student id (it names folders and joins them with ``+``).
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")


@dataclass(frozen=True)
class Student:
    id: str
    first_name: str | None
    last_name: str | None
    email: str | None


def read_roster(path: Path) -> list[Student]:
    """The students of the CSV file ``path``; a :class:`ClassroomError` naming the line and
    the fix for anything wrong, before anything is imported."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ClassroomError(f"{path} does not exist") from None
    except UnicodeDecodeError as error:
        raise ClassroomError(
            f"{path} is not UTF-8 text (byte {error.start}): save it as UTF-8 CSV"
        ) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise ClassroomError(
            f"{path} is empty: it needs a header line (id,first_name,last_name,email)"
        )
    header = [name.strip().lower() for name in rows[0]]
    where: dict[str, int] = {}
    for column, names in COLUMNS.items():
        for index, name in enumerate(header):
            if name in names:
                where[column] = index
                break
    if "id" not in where:
        raise ClassroomError(
            f"{path}: the header ({', '.join(rows[0])}) has no id column; name the columns "
            "id,first_name,last_name,email"
        )
    students: list[Student] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(column: str, row: list[str] = row) -> str | None:
            index = where.get(column)
            value = row[index].strip() if index is not None and index < len(row) else ""
            return value or None

        student_id = cell("id")
        if student_id is None:
            raise ClassroomError(f"{path}, line {number}: no student id")
        if not _ID.match(student_id):
            raise ClassroomError(
                f"{path}, line {number}: the id {student_id!r} cannot name a submission "
                "(use letters, digits and . _ - @, starting with a letter or digit)"
            )
        if student_id in seen:
            raise ClassroomError(
                f"{path}, line {number}: the id {student_id!r} is already on line "
                f"{seen[student_id]}"
            )
        email = cell("email")
        if email is not None and "@" not in email:
            raise ClassroomError(f"{path}, line {number}: {email!r} is not an email address")
        seen[student_id] = number
        students.append(Student(student_id, cell("first_name"), cell("last_name"), email))
    if not students:
        raise ClassroomError(f"{path} has a header but no student")
    return students
