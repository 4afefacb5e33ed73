"""A student's fetch and submit without nbgrader do what nbgrader's exchange does.

Each test runs the same transfer twice, in two copies of one exchange and one student
folder: once through :mod:`course.nbgrader.plain_exchange` (nbgrader's classes made to fail
if reached) and once through nbgrader's own classes (the plain path made to decline), then
compares the folders (names, contents, modes) and the log messages.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from course.config import ClassroomError
from course.nbgrader import exchange, plain_exchange
from course.nbgrader.exchange import Place

WEEK = "week01_toy"
NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} UTC$")
#: nbgrader's name of a submission: student+week+timestamp(+random part in the exchange).
SUBMISSION = re.compile(
    rf"^ada\+{WEEK}\+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{{6}} UTC(\+[A-Za-z0-9_-]{{12}})?$"
)


def _files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def _released(base: Path) -> None:
    """An exchange at ``base/exchange`` with the week released, as ``course release`` does."""
    course = base / "exchange" / "tf101"
    (course / "inbound").mkdir(parents=True)
    _files(
        course / "outbound" / WEEK,
        {
            f"{WEEK}.py": "def double(x):\n    raise NotImplementedError\n",
            f"{WEEK}.ipynb": NOTEBOOK,
            "course-policy.json": "{}",
            "data/notes.txt": "notes",
            "data/more/deep.txt": "deep",
            "__pycache__/stale.cpython-311.pyc": "",
            "feedback/old.html": "<p>",
            ".ipynb_checkpoints/x-checkpoint.ipynb": NOTEBOOK,
            "stray.pyc": "",
        },
    )
    (course / "inbound").chmod(0o733)


def _tree(root: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path under ``root``: its mode and, for a file, its bytes."""
    return {
        str(path.relative_to(root)): (
            stat.S_IMODE(path.stat().st_mode),
            path.read_bytes() if path.is_file() else None,
        )
        for path in sorted(root.rglob("*"))
    }


def _submitted_tree(root: Path) -> dict[str, tuple[int, bytes | None]]:
    """:func:`_tree` of a folder of submissions, with their names, timestamps and secrets
    checked and replaced by placeholders."""
    tree = {}
    for name, (mode, data) in _tree(root).items():
        first, _, rest = name.partition("/")
        assert SUBMISSION.match(first), first
        if rest == "timestamp.txt":
            assert data is not None
            assert TIMESTAMP.match(data.decode()), data
            data = b"<timestamp>"
        elif rest == "submission_secret.txt":
            assert data is not None
            assert re.fullmatch(rb"[0-9a-f]{128}", data), data
            data = b"<secret>"
        tree["/".join(filter(None, ("<submission>", rest)))] = (mode, data)
    return tree


class Side:
    """One copy of the exchange and the student's folder, and the transfers run in it."""

    def __init__(self, base: Path, monkeypatch: pytest.MonkeyPatch, *, plain: bool) -> None:
        self.base, self.monkeypatch, self.plain = base, monkeypatch, plain
        #: The last transfer's log: (level, message), this side's folder named ``<base>``.
        self.messages: list[tuple[str, str]] = []
        base.mkdir()
        _released(base)
        self.place = Place(
            exchange=base / "exchange",
            course_id="tf101",
            week=WEEK,
            student="ada",
            assignment_dir=base / "home",
            cache=base / "cache",
        )

    def run(self, transfer: Callable[[Place], Any], caplog: pytest.LogCaptureFixture) -> Any:
        """``transfer(place)`` from the base folder; its result, log messages noted."""
        with self.monkeypatch.context() as patch:
            patch.chdir(self.base)
            if self.plain:
                patch.setattr(exchange, "_run", _nbgrader_must_not_run)
            else:
                patch.setattr(plain_exchange, "fetch", lambda place: False)
                patch.setattr(plain_exchange, "submit", lambda place: None)
            caplog.clear()
            result = transfer(self.place)
            self.messages = [
                (record.levelname, record.getMessage().replace(str(self.base), "<base>"))
                for record in caplog.records
            ]
        return result


def _nbgrader_must_not_run(*args: object, **kwargs: object) -> None:
    raise AssertionError("the plain exchange declined, and nbgrader ran")


@pytest.fixture
def sides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> tuple[Side, Side]:
    """The plain side and nbgrader's, each in a folder of its own."""
    caplog.set_level(logging.DEBUG, logger="course.nbgrader")
    # The command line shows these messages itself and stops them there (course.classroom.
    # commands); here they go on to pytest's capture.
    monkeypatch.setattr(logging.getLogger("course.nbgrader"), "propagate", True)
    return (
        Side(tmp_path / "plain", monkeypatch, plain=True),
        Side(tmp_path / "nbgrader", monkeypatch, plain=False),
    )


def test_fetch_writes_what_nbgraders_fetch_writes(
    sides: tuple[Side, Side], caplog: pytest.LogCaptureFixture
) -> None:
    """A first fetch copies the same files with the same modes, leaving out the same names
    (caches, compiled files, old feedback), and logs the same messages."""
    for side in sides:
        assert side.run(exchange.fetch, caplog) == side.base / "home" / WEEK
    plain, nbgrader = sides
    assert _tree(plain.base / "home") == _tree(nbgrader.base / "home")
    assert "data/more/deep.txt" in str(_tree(plain.base / "home"))
    assert plain.messages == nbgrader.messages
    assert ("INFO", f"Fetched as: tf101 {WEEK}") in plain.messages


def test_a_second_fetch_replaces_missing_files_as_nbgrader_does(
    sides: tuple[Side, Side], caplog: pytest.LogCaptureFixture
) -> None:
    """Fetching into a week folder that exists adds only what is missing (the student's
    edits stay) and warns of each file and folder it adds, in nbgrader's words."""
    for side in sides:
        side.run(exchange.fetch, caplog)
        folder = side.base / "home" / WEEK
        (folder / f"{WEEK}.py").write_text("mine\n")
        (folder / f"{WEEK}.ipynb").unlink()
        shutil.rmtree(folder / "data")
        side.run(exchange.fetch, caplog)
    plain, nbgrader = sides
    assert _tree(plain.base / "home") == _tree(nbgrader.base / "home")
    assert (plain.base / "home" / WEEK / f"{WEEK}.py").read_text() == "mine\n"
    assert plain.messages == nbgrader.messages
    assert ("WARNING", f"Replacing missing file 'home/{WEEK}/{WEEK}.ipynb'") in plain.messages
    assert ("WARNING", f"Creating missing directory 'home/{WEEK}/data'") in plain.messages


@pytest.mark.parametrize("with_notebook", [True, False], ids=["notebook", "module only"])
def test_submit_writes_what_nbgraders_submit_writes(
    sides: tuple[Side, Side], caplog: pytest.LogCaptureFixture, with_notebook: bool
) -> None:
    """A submission lands in the exchange's inbound and in the student's cache under
    nbgrader's names, with the same files, modes, timestamp and secret files, and the same
    messages (a warning naming the released notebook when it is missing)."""
    receipts = []
    for side in sides:
        side.run(exchange.fetch, caplog)
        folder = side.base / "home" / WEEK
        _files(folder, {"__pycache__/mine.pyc": "", ".ipynb_checkpoints/x.ipynb": NOTEBOOK})
        _files(folder, {"extra/scratch.ipynb": NOTEBOOK})
        if not with_notebook:
            (folder / f"{WEEK}.ipynb").unlink()
        receipts.append(side.run(exchange.submit, caplog))
    plain, nbgrader = sides
    inbound = Path("exchange/tf101/inbound")
    assert _submitted_tree(plain.base / inbound) == _submitted_tree(nbgrader.base / inbound)
    cache = Path("cache/tf101")
    assert _submitted_tree(plain.base / cache) == _submitted_tree(nbgrader.base / cache)
    assert "<submission>/extra/scratch.ipynb" in _submitted_tree(plain.base / cache)

    def masked(messages: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(level, SUBMISSION_IN_TEXT.sub("<submission>", text)) for level, text in messages]

    assert masked(plain.messages) == masked(nbgrader.messages)
    warned = [text for level, text in plain.messages if level == "WARNING"]
    assert len(warned) == 1
    assert "extra/scratch.ipynb: EXTRA" in warned[0]
    assert (f"{WEEK}.ipynb: MISSING" in warned[0]) is not with_notebook
    for receipt in receipts:
        assert TIMESTAMP.match(receipt.timestamp)
        assert receipt.history == (receipt.moment,)


#: A timestamp, or a whole submission's name, inside a log message.
SUBMISSION_IN_TEXT = re.compile(
    r"(ada\+week01_toy\+)?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} UTC(\+[A-Za-z0-9_-]{12})?"
)


def test_submissions_in_the_cache_are_counted_alike(
    sides: tuple[Side, Side], caplog: pytest.LogCaptureFixture
) -> None:
    """A second submission sees the first in the student's cache, on either path."""
    for side in sides:
        side.run(exchange.fetch, caplog)
        first = side.run(exchange.submit, caplog)
        second = side.run(exchange.submit, caplog)
        assert second.history == (first.moment, second.moment)


@pytest.mark.parametrize(
    ("change", "fetch_declines"),
    [
        ({"week": "week09_unreleased"}, True),
        ({"week": "week01+toy"}, True),
        ({"week": f" {WEEK}"}, True),
        ({"course_id": "tf101 "}, True),
        ({"course_id": ""}, True),
        ({"student": " ada"}, True),
        ({"timezone": "Europe/Paris"}, True),
        ({"assignment_dir": None}, True),
        # Only a submission names the student: nbgrader's fetch takes these as they are.
        ({"student": "ada+1"}, False),
        ({"student": ""}, False),
    ],
    ids=str,
)
def test_the_plain_path_declines_what_it_does_not_cover(
    sides: tuple[Side, Side],
    caplog: pytest.LogCaptureFixture,
    change: dict[str, Any],
    fetch_declines: bool,
) -> None:
    """An unreleased week, ids nbgrader strips or refuses, another time zone: the plain
    path declines having touched nothing, and nbgrader runs (its messages, its errors)."""
    plain, _ = sides
    plain.run(exchange.fetch, caplog)
    before = _tree(plain.base)
    place = replace(plain.place, **change)
    assert plain_exchange.submit(place) is None
    assert _tree(plain.base) == before
    if fetch_declines:
        assert plain_exchange.fetch(place) is False
        assert _tree(plain.base) == before


def test_a_missing_exchange_is_reported_by_nbgrader(
    sides: tuple[Side, Side], caplog: pytest.LogCaptureFixture
) -> None:
    """A missing exchange folder: the plain path declines and nbgrader's error is the one
    the student reads."""
    plain, _ = sides
    plain.run(exchange.fetch, caplog)
    shutil.rmtree(plain.base / "exchange")
    assert plain_exchange.submit(plain.place) is None
    with pytest.raises(ClassroomError) as raised:
        exchange.submit(plain.place)
    assert str(raised.value) == (
        "nbgrader exchange: Unwritable directory, please contact your instructor: "
        f"{plain.base / 'exchange'}"
    )
