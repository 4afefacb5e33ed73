"""nbgrader's timestamps: when a submission was handed in, as nbgrader writes and reads it.

nbgrader writes ``2026-11-23 07:54:42.306136 UTC`` (its ``timestamp_format`` in UTC) into
``timestamp.txt`` beside each submission, and into the names of the exchange's and the
student's cache folders. Plain text and datetimes only: nothing here imports nbgrader.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

TIMESTAMP_FILE = "timestamp.txt"


def read_timestamp(folder: Path) -> dt.datetime | None:
    """When nbgrader received the submission (``timestamp.txt``), as an aware UTC time.

    nbgrader writes ``2026-11-23 07:54:42.306136 UTC`` (its ``timestamp_format`` in UTC);
    ISO 8601 with an offset is read too. ``None`` when missing or unreadable: no late penalty.
    """
    path = folder / TIMESTAMP_FILE
    if not path.is_file():
        return None
    return parse_timestamp(path.read_text(encoding="utf-8", errors="replace"))


def parse_timestamp(text: str) -> dt.datetime | None:
    """An nbgrader timestamp (or ISO 8601 with an offset) as an aware UTC time; None if not one."""
    text = text.strip().removesuffix(" UTC").removesuffix(" Z")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def write_timestamp(folder: Path, moment: dt.datetime) -> None:
    """Write ``timestamp.txt`` into ``folder`` the way nbgrader does (UTC)."""
    text = moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f") + " UTC"
    (folder / TIMESTAMP_FILE).write_text(text, encoding="utf-8")
