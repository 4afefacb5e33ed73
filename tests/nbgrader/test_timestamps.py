"""nbgrader's timestamp.txt: read as UTC, written the way nbgrader writes it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from course.nbgrader.timestamps import TIMESTAMP_FILE, read_timestamp, write_timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23 07:54:42.306136 UTC", dt.datetime(2026, 11, 23, 7, 54, 42, 306136, dt.UTC)),
        ("2026-11-23T08:54:42+01:00", dt.datetime(2026, 11, 23, 7, 54, 42, tzinfo=dt.UTC)),
        ("yesterday", None),
    ],
)
def test_nbgrader_timestamps_are_read_as_utc(
    tmp_path: Path, text: str, expected: dt.datetime | None
) -> None:
    """timestamp.txt in nbgrader's format (or ISO 8601) is read as UTC; nonsense is None."""
    (tmp_path / TIMESTAMP_FILE).write_text(text)
    assert read_timestamp(tmp_path) == expected


def test_a_missing_timestamp_is_none(tmp_path: Path) -> None:
    """A submission without timestamp.txt has no time (so no late penalty)."""
    assert read_timestamp(tmp_path) is None


def test_written_timestamps_are_nbgraders_format_in_utc(tmp_path: Path) -> None:
    """A time in any zone is written as nbgrader's UTC text and read back unchanged."""
    moment = dt.datetime(2026, 11, 23, 8, 54, 42, 306136, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    write_timestamp(tmp_path, moment)
    assert (tmp_path / TIMESTAMP_FILE).read_text() == "2026-11-23 07:54:42.306136 UTC"
    assert read_timestamp(tmp_path) == moment
