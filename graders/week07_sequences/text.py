"""The week 7 graders' own text pipeline: the contract of exercises 7.5 to 7.8.

The graders never import the submission, so they carry their own copy of the contract:
``split_words`` (the helper the assignment gives), the vocabulary, n-grams and pre-padding.
They prepare every dataset with it, so a mistake in one exercise cannot spoil the checks of
another; the submission's versions are judged against literal expected values elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


def plain(value: Any) -> Any:
    """A numpy integer (a 0-d array once it crossed over) or integer vector as the int or
    list of ints it holds; any other value as it is."""
    if isinstance(value, np.ndarray) and value.ndim <= 1 and value.dtype.kind in "iu":
        return value.tolist()
    return value


def split_words(line: str) -> list[str]:
    """The lower-cased words of ``line``, apostrophes inside words kept."""
    return _WORD.findall(line.lower())


def vocabulary(lines: Sequence[str]) -> dict[str, int]:
    """Word -> id from 1, most frequent first, ties in order of first appearance."""
    counts: dict[str, int] = {}
    for line in lines:
        for word in split_words(line):
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda word: -counts[word])
    return {word: index for index, word in enumerate(ranked, start=1)}


def ids(line: str, vocabulary: Mapping[str, int]) -> list[int]:
    return [vocabulary[w] for w in split_words(line) if w in vocabulary]


def ngrams(
    lines: Sequence[str], vocabulary: Mapping[str, int], *, whole_line: bool = True
) -> list[list[int]]:
    """The prefixes of 2 ids or more of each line; without the whole line itself when
    ``whole_line`` is false (a mistake a grader recognises)."""
    sequences: list[list[int]] = []
    for line in lines:
        line_ids = ids(line, vocabulary)
        sequences.extend(line_ids[:end] for end in range(2, len(line_ids) + whole_line))
    return sequences


def pad(sequences: Sequence[Sequence[int]], length: int | None = None) -> np.ndarray:
    """Pre-pad (and pre-truncate) to ``length``, by default the longest sequence."""
    width = max(map(len, sequences)) if length is None else length
    padded = np.zeros((len(sequences), width), dtype="int32")
    for row, sequence in enumerate(sequences):
        kept = list(sequence)[-width:] if width else []
        if kept:
            padded[row, width - len(kept) :] = kept
    return padded
