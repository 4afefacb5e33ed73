"""What a student hands in: the file that is graded, and every refusal naming the problem."""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from course.classroom.intake import (
    MAX_ARCHIVE_FILES,
    SubmissionRefused,
    prepare,
    read_members,
    safe_members,
)
from course.classroom.settings import ClassroomError
from tests.classroom import zips

WEEK = "week01_toy"


def folder_with(tmp_path: Path, **files: bytes) -> Path:
    folder = tmp_path / "ada" / WEEK
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name.replace("_DOT_", ".")).write_bytes(data)
    return folder


def test_module_is_graded(tmp_path: Path) -> None:
    """A submitted module is graded as it is."""
    folder = folder_with(tmp_path, **{f"{WEEK}_DOT_py": b"x = 1\n"})
    prepared = prepare(folder, week=WEEK, student="ada")
    assert prepared.module == "x = 1\n"
    assert prepared.source.suffix == ".py"


def test_newer_of_module_and_notebook_is_graded(tmp_path: Path) -> None:
    """With both forms, the one saved last counts; the notebook on a tie."""
    notebook = json.dumps({"nbformat": 4, "cells": [{"cell_type": "code", "source": "y = 2"}]})
    folder = folder_with(
        tmp_path, **{f"{WEEK}_DOT_py": b"x = 1\n", f"{WEEK}_DOT_ipynb": notebook.encode()}
    )
    module, book = folder / f"{WEEK}.py", folder / f"{WEEK}.ipynb"
    os.utime(module, (1_000, 1_000))
    os.utime(book, (2_000, 2_000))
    assert prepare(folder, week=WEEK, student="ada").module == "y = 2\n"
    os.utime(module, (3_000, 3_000))
    assert prepare(folder, week=WEEK, student="ada").module == "x = 1\n"
    os.utime(book, (3_000, 3_000))
    assert prepare(folder, week=WEEK, student="ada").module == "y = 2\n"


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({}, "no week01_toy.py or week01_toy.ipynb"),
        ({"notes_DOT_txt": b"hi"}, r"it holds: notes.txt"),
        ({f"{WEEK}_DOT_py": b""}, "is empty"),
        ({f"{WEEK}_DOT_py": b"  \n\n"}, "only blank space"),
        ({f"{WEEK}_DOT_py": "x = 'é'".encode("latin-1")}, "not UTF-8"),
        ({f"{WEEK}_DOT_ipynb": b"{oops"}, "JSON does not parse"),
        ({f"{WEEK}_DOT_ipynb": b'{"nbformat": 4, "cells": []}'}, "no code cells"),
    ],
)
def test_bad_submissions_are_refused_naming_student_and_problem(
    tmp_path: Path, files: dict[str, bytes], problem: str
) -> None:
    """Missing, empty, non-UTF-8 and broken files are refused with the student's name."""
    folder = folder_with(tmp_path, **files)
    with pytest.raises(SubmissionRefused, match=problem) as refused:
        prepare(folder, week=WEEK, student="ada")
    assert str(refused.value).startswith("ada: ")


def test_missing_folder_is_refused(tmp_path: Path) -> None:
    """No folder at all is a refusal, not a crash."""
    with pytest.raises(SubmissionRefused, match=r"no week01_toy\.py"):
        prepare(tmp_path / "nobody" / WEEK, week=WEEK, student="nobody")


def test_symlinked_submission_is_not_followed(tmp_path: Path) -> None:
    """A symbolic link in place of the file is not read."""
    secret = tmp_path / "secret.py"
    secret.write_text("SECRET = 1\n")
    folder = folder_with(tmp_path)
    (folder / f"{WEEK}.py").symlink_to(secret)
    with pytest.raises(SubmissionRefused, match=r"no week01_toy\.py"):
        prepare(folder, week=WEEK, student="ada")


def archive(*entries: tuple[str, bytes], link: str | None = None) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as writing:
        for name, data in entries:
            writing.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            writing.writestr(info, "/etc/passwd")
    buffer.seek(0)
    return zipfile.ZipFile(buffer)


@pytest.mark.parametrize(
    ("entries", "link", "problem"),
    [
        ((("/etc/cron.d/x.py", b"x"),), None, "absolute path"),
        ((("C:/x.py", b"x"),), None, "absolute path"),
        ((("a/../../x.py", b"x"),), None, r"'\.\.'"),
        ((("ok.py", b"x"),), "ada.py", "symbolic link"),
        (tuple((f"s{i}.py", b"x") for i in range(MAX_ARCHIVE_FILES + 1)), None, "the limit is"),
    ],
)
def test_unsafe_archives_are_refused(
    entries: tuple[tuple[str, bytes], ...], link: str | None, problem: str
) -> None:
    """Absolute and '..' paths, links and too many files refuse the whole archive."""
    with pytest.raises(ClassroomError, match=problem):
        safe_members(archive(*entries, link=link), name="class.zip")


def test_oversized_archive_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """More than the byte limit uncompressed refuses the archive before unpacking."""
    monkeypatch.setattr("course.classroom.intake.MAX_ARCHIVE_BYTES", 10)
    with pytest.raises(ClassroomError, match="unpacks to 11 bytes"):
        safe_members(archive(("a.py", b"x" * 11)), name="class.zip")


def opened(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


@pytest.mark.parametrize(("how", "problem"), sorted(zips.DAMAGE.items()))
def test_damaged_member_is_refused_naming_it(how: str, problem: str) -> None:
    """A wrong CRC, a misstated size, cut data, encryption or an unknown compression in a
    member refuses the archive with a message naming the member, not a zipfile traceback."""
    data = zips.damage(zips.build((zips.ADA, zips.ADA_TEXT), ("bob.py", b"y = 2\n")), zips.ADA, how)
    with opened(data) as archive, pytest.raises(ClassroomError, match=problem) as refused:
        read_members(archive, archive.infolist(), name="class.zip")
    message = str(refused.value)
    assert message.startswith(f"class.zip: '{zips.ADA}' ")
    assert "nothing was imported. " in message
    if how not in ("encrypted", "strong", "deflate64"):
        assert "Download the archive again from the LMS" in message


def test_bzip2_member_is_refused_before_it_is_unpacked() -> None:
    """A bzip2 member is refused unread: zipfile cannot bound the memory it unpacks into."""
    data = zips.build(("ada.py", b"x = 1\n"), compression=zipfile.ZIP_BZIP2)
    with opened(data) as archive, pytest.raises(ClassroomError, match="method 12") as refused:
        read_members(archive, archive.infolist(), name="class.zip")
    assert "zip it again with ordinary zip compression" in str(refused.value)


def test_intact_members_are_read_whole() -> None:
    """Undamaged members come back byte for byte, stored or deflated."""
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        data = zips.build((zips.ADA, zips.ADA_TEXT), ("bob.py", b""), compression=compression)
        with opened(data) as archive:
            assert read_members(archive, archive.infolist(), name="c.zip") == [zips.ADA_TEXT, b""]


def test_bytes_unpacked_count_against_the_archive_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The archive limit applies to the bytes actually unpacked, member after member."""
    monkeypatch.setattr("course.classroom.intake.MAX_ARCHIVE_BYTES", len(zips.ADA_TEXT) + 5)
    data = zips.build((zips.ADA, zips.ADA_TEXT), ("bob.py", b"y = 2\n"))
    with opened(data) as archive, pytest.raises(ClassroomError, match="unpacks to more than"):
        read_members(archive, archive.infolist(), name="class.zip")
