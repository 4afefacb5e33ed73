"""Tests of the Rotten Tomatoes sentence loader, on generated sdists (no pip, offline)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from course.datasets import DatasetUnavailable, DatasetWarning, rotten_tomatoes
from course.datasets._files import sha256_of
from course.datasets._registry import Release
from tests.datasets.registry_fakes import (
    REAL_CACHE,
    install_fake_pip,
    isolate,
    tar_gz_bytes,
    write_tar_gz,
)

loader: Any = importlib.import_module("course.datasets.sentiment")
SourceFailed = loader.SourceFailed
REAL_PINS = {
    name: getattr(loader, name) for name in ("RELEASE", "EXPECTED_COUNTS", "ARRAYS_SHA256")
}
ARCHIVE_NAME = "generatedSentiment-1.0.tar.gz"

# Generated rows in the file's layout: CRLF, no newline at the end, UTF-8, runs of spaces.
GENERATED_ROWS = [
    ("1", "2.26666666667", "A generated ''fine'' sentence, said twice."),
    ("2", "-0.6", "Generated but too tepid"),
    ("3", "0.0", "Neither    one nor the other."),
    ("4", "3.9", "Jirí's generated gem."),
    ("5", "-3.875", "A generated ''fine'' sentence, said twice."),
]
GENERATED_COUNTS = {"negative": 2, "positive": 2, "neutral": 1}


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty memo, private cache, an offline pip, and the counts of the generated rows."""
    isolate(tmp_path, monkeypatch)
    monkeypatch.setattr(loader, "_MEMO", {})
    monkeypatch.setattr(loader, "EXPECTED_COUNTS", GENERATED_COUNTS)
    monkeypatch.setattr(loader, "ARRAYS_SHA256", None)


def generated_snippets(rows: list[tuple[str, str, str]] = GENERATED_ROWS) -> bytes:
    return "\r\n".join("\t".join(row) for row in rows).encode("utf-8")


def write_generated_sdist(path: Path, snippets: bytes | None = None) -> Path:
    """An sdist laid out like vaderSentiment's: the ratings in a tar.gz inside the tar.gz."""
    inner = tar_gz_bytes(
        {
            "hutto_ICWSM_2014/tweets_GroundTruth.txt": b"1\t0.5\tdecoy",
            loader.SNIPPETS_MEMBER: generated_snippets() if snippets is None else snippets,
        }
    )
    return write_tar_gz(path, {"vaderSentiment-3.3.2/setup.py": b"", loader.INNER_ARCHIVE: inner})


@pytest.fixture
def generated_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake pip handing out a generated sdist, pinned as the release."""
    sdist = write_generated_sdist(tmp_path / "source.tar.gz")
    install_fake_pip(tmp_path, monkeypatch, sdist, ARCHIVE_NAME)
    release = Release("pip", "generatedSentiment==1.0", ARCHIVE_NAME, sha256_of(sdist))
    monkeypatch.setattr(loader, "RELEASE", release)
    return sdist


def test_generated_sdist_gives_texts_and_sign_labels(tmp_path: Path) -> None:
    """Positive ratings give 1, negative 0, zero is dropped; order and text are kept."""
    texts, labels = loader.parse_vader_sdist(write_generated_sdist(tmp_path / "g.tar.gz"))
    assert texts == [GENERATED_ROWS[i][2] for i in (0, 1, 3, 4)]
    assert labels.dtype == np.uint8
    assert labels.tolist() == [1, 0, 1, 0]


@pytest.mark.parametrize(
    ("separator", "end"),
    [("\r\n", ""), ("\r\n", "\r\n"), ("\n", ""), ("\n", "\n")],
    ids=["crlf", "crlf-final", "lf", "lf-final"],
)
def test_rows_parse_with_any_line_ending(separator: str, end: str) -> None:
    """CRLF or LF lines, with or without a final newline, parse to the same rows."""
    text = separator.join("\t".join(row) for row in GENERATED_ROWS) + end
    texts, ratings = loader.parse_rated_snippets(text)
    assert texts == [row[2] for row in GENERATED_ROWS]
    assert ratings.tolist() == [float(row[1]) for row in GENERATED_ROWS]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("1\t0.5\tfine\r\n2\t0.5", "line 2: 2 tab-separated fields, expected 3"),
        ("1\thigh\tx", "line 1: could not convert string to float"),
        ("1\t4.5\tx", r"line 1: rating 4\.5 is outside -4\.\.4"),
        ("1\t1\tx\n1\t2\ty", "line 2: id 1 repeats"),
        ("one\t1\tx", "line 1: invalid literal for int"),
    ],
    ids=["fields", "rating", "range", "repeated-id", "id"],
)
def test_malformed_rows_are_refused_with_their_line(text: str, complaint: str) -> None:
    """A malformed row is reported with its line number and what is wrong."""
    with pytest.raises(SourceFailed, match=complaint):
        loader.parse_rated_snippets(text)


def test_counts_other_than_expected_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An sdist whose sentences do not have the documented counts is refused."""
    monkeypatch.setattr(
        loader, "EXPECTED_COUNTS", {"negative": 5326, "positive": 5242, "neutral": 37}
    )
    with pytest.raises(SourceFailed, match="'negative': 2, 'positive': 2, 'neutral': 1"):
        loader.parse_vader_sdist(write_generated_sdist(tmp_path / "g.tar.gz"))


def test_sdist_without_the_inner_archive_is_refused(tmp_path: Path) -> None:
    """An sdist lacking the ICWSM archive names the missing file."""
    sdist = write_tar_gz(tmp_path / "g.tar.gz", {"vaderSentiment-3.3.2/setup.py": b""})
    with pytest.raises(
        SourceFailed, match=r"has no file vaderSentiment-3\.3\.2/additional_resources"
    ):
        loader.parse_vader_sdist(sdist)


def test_text_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are reported, not guessed."""
    sdist = write_generated_sdist(tmp_path / "g.tar.gz", b"1\t1\tcaf\xe9")
    with pytest.raises(SourceFailed, match="UnicodeDecodeError"):
        loader.parse_vader_sdist(sdist)


def test_converts_once_then_loads_the_cache(tmp_path: Path, generated_pip: Path) -> None:
    """The first call fetches with pip and writes an .npz of strings; later calls need no pip."""
    texts, labels = rotten_tomatoes()
    npz = tmp_path / "course-cache" / "generatedSentiment-1.0-movies.npz"
    with np.load(npz, allow_pickle=False) as cached:
        assert cached["texts"].dtype.kind == "U"
        assert cached["texts"].tolist() == texts
    (tmp_path / "bin" / "fake-pip").unlink()
    texts.append("changed")  # callers get copies
    assert rotten_tomatoes()[0] == [GENERATED_ROWS[i][2] for i in (0, 1, 3, 4)]
    loader._MEMO.clear()
    again, again_labels = rotten_tomatoes()
    assert again == [GENERATED_ROWS[i][2] for i in (0, 1, 3, 4)]
    np.testing.assert_array_equal(again_labels, labels)


def test_wrong_sdist_hash_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated_pip: Path
) -> None:
    """pip, given the pinned hash, refuses another file; nothing is cached."""
    release = Release("pip", "generatedSentiment==1.0", ARCHIVE_NAME, "e" * 64)
    monkeypatch.setattr(loader, "RELEASE", release)
    with (
        pytest.raises(DatasetUnavailable, match="refused the archive") as caught,
        pytest.warns(DatasetWarning, match="skipped pip package"),
    ):
        rotten_tomatoes()
    assert f"its sha256 is not {'e' * 64}" in str(caught.value)
    assert not (tmp_path / "course-cache").exists()


def test_offline_the_error_names_each_failure_and_fix(tmp_path: Path) -> None:
    """Offline with no cache, the error gives pip's reason and the commands that fix it."""
    with pytest.raises(DatasetUnavailable) as caught:
        rotten_tomatoes()
    message = str(caught.value)
    for expected in (
        "Rotten Tomatoes sentences (Hutto & Gilbert 2014, from PyPI vaderSentiment==3.3.2 sdist)",
        "vaderSentiment-3.3.2-movies.npz): not made yet",
        "pip package vaderSentiment==3.3.2: `pip download vaderSentiment==3.3.2` failed: "
        "No matching distribution found for vaderSentiment==3.3.2",
        "python -m course.datasets --all",
        "python -m pip download --no-deps --no-binary :all: vaderSentiment==3.3.2",
        "copy vaderSentiment-3.3.2.tar.gz (sha256 5d7c06e0",
    ):
        assert expected in message


@pytest.mark.skipif(
    not (REAL_CACHE / "vaderSentiment-3.3.2-movies.npz").is_file(),
    reason=f"the real data is not converted in {REAL_CACHE}: run python -m course.datasets --all",
)
def test_real_sentences_have_the_documented_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached conversion holds 5,242 positive and 5,326 negative sentences."""
    for name, value in REAL_PINS.items():
        monkeypatch.setattr(loader, name, value)
    texts, labels = rotten_tomatoes(cache_dir=REAL_CACHE)
    assert len(texts) == 10568
    assert labels.dtype == np.uint8
    assert np.bincount(labels).tolist() == [5326, 5242]
    assert texts[0].startswith("The Rock is destined to be the 21st Century's new ''Conan''")
    assert all(text and "\t" not in text and "\r" not in text for text in texts)
