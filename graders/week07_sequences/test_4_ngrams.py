"""Week 7 grader, part 4: ``make_ngram_sequences`` (exercise 7.6).

Exact answers on sonnet lines chosen here, with vocabularies chosen here (so that a wrong
``build_vocabulary`` does not fail these checks), the expected sequences written out below.
The first vocabulary numbers the words out of line order, so that ids counted by position
fail. A line of ids ``[a, b, c, d]`` must give ``[a, b]``, ``[a, b, c]`` and ``[a, b, c, d]``:
prefixes of 2 ids or more, the whole line included. Only the first check judges whether
the whole line is there; the others accept its absence, so that one mistake costs one
check. Sequences may come back as lists or integer arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import fail

FUNCTION = "make_ngram_sequences"
VOCABULARY = {
    "we": 1,
    "desire": 2,
    "fairest": 3,
    "thy": 4,
    "increase": 5,
    "self": 6,
    "from": 7,
    "sweet": 8,
    "creatures": 9,
}
FIRST_LINE = "From fairest creatures we desire increase,"
FIRST_LINE_NGRAMS = [
    [7, 3],
    [7, 3, 9],
    [7, 3, 9, 1],
    [7, 3, 9, 1, 2],
    [7, 3, 9, 1, 2, 5],
]
SEVERAL_LINES = [
    "That thereby beauty's rose might never die,",
    "O!",
    "But as the riper should by time decease,",
]
SEVERAL_LINES_VOCABULARY = {
    "that": 1,
    "thereby": 2,
    "beauty's": 3,
    "rose": 4,
    "might": 5,
    "never": 6,
    "die": 7,
    "o": 8,
    "but": 9,
    "as": 10,
    "the": 11,
    "riper": 12,
    "should": 13,
    "by": 14,
    "time": 15,
    "decease": 16,
}
SEVERAL_LINES_NGRAMS = [
    [1, 2],
    [1, 2, 3],
    [1, 2, 3, 4],
    [1, 2, 3, 4, 5],
    [1, 2, 3, 4, 5, 6],
    [1, 2, 3, 4, 5, 6, 7],
    [9, 10],
    [9, 10, 11],
    [9, 10, 11, 12],
    [9, 10, 11, 12, 13],
    [9, 10, 11, 12, 13, 14],
    [9, 10, 11, 12, 13, 14, 15],
    [9, 10, 11, 12, 13, 14, 15, 16],
]
# "foe", "to", "too" and "cruel" are not in VOCABULARY: their ids are skipped.
UNKNOWN_WORDS_LINE = "Thy self thy foe, to thy sweet self too cruel:"
UNKNOWN_WORDS_NGRAMS = [
    [4, 6],
    [4, 6, 4],
    [4, 6, 4, 4],
    [4, 6, 4, 4, 8],
    [4, 6, 4, 4, 8, 6],
]


def _sequences(value: Any, *, what: str) -> list[list[int]]:
    """``value`` as lists of ints: a list of lists (or integer arrays) of ints."""
    if not isinstance(value, list):
        raise fail(what, expected="a list of sequences", received=type(value).__name__)
    sequences = []
    for item in value:
        if isinstance(item, np.ndarray) and item.ndim == 1 and item.dtype.kind in "iu":
            item = item.tolist()
        if isinstance(item, list):
            item = [
                int(i) if isinstance(i, np.ndarray) and i.ndim == 0 and i.dtype.kind in "iu" else i
                for i in item
            ]
        if not isinstance(item, list) or not all(type(i) is int for i in item):
            raise fail(
                f"every sequence of {what}",
                expected="a list of int ids",
                received=repr(item)[:80],
            )
        sequences.append(item)
    return sequences


def _without_whole_lines(expected: Sequence[list[int]]) -> list[list[int]]:
    """``expected`` without the last (whole-line) sequence of each line."""
    return [
        sequence
        for index, sequence in enumerate(expected)
        if index + 1 < len(expected) and expected[index + 1][: len(sequence)] == sequence
    ]


def _check(received: list[list[int]], expected: list[list[int]], *, what: str) -> None:
    if received == expected:
        return
    hint = (
        "for each line, take ids[:end] for end in range(2, len(ids) + 1), shortest first, "
        "line after line."
    )
    if received == _without_whole_lines(expected):
        hint = "the whole line is missing: the last prefix is the line itself, so end runs up "
        hint += "to len(ids) inclusive: range(2, len(ids) + 1)."
    raise fail(what, expected=expected, received=received, hint=hint)


@pytest.mark.points(2)
def test_ngrams_of_one_line(submission: Submission) -> None:
    """one line gives its prefixes of 2 ids or more, shortest first, the whole line last"""
    what = f"{FUNCTION}([{FIRST_LINE!r}], vocabulary)"
    received = _sequences(submission.call(FUNCTION, [FIRST_LINE], VOCABULARY), what=what)
    _check(received, FIRST_LINE_NGRAMS, what=f"{what} with vocabulary {VOCABULARY}")


@pytest.mark.points(1)
def test_ngrams_of_several_lines_in_order(submission: Submission) -> None:
    """the sequences of several lines come line after line; a one-word line gives none"""
    what = f"{FUNCTION}({SEVERAL_LINES!r}, vocabulary)"
    received = _sequences(
        submission.call(FUNCTION, SEVERAL_LINES, SEVERAL_LINES_VOCABULARY), what=what
    )
    # A missing whole line is the first check's mistake; here only the order counts.
    if received != _without_whole_lines(SEVERAL_LINES_NGRAMS):
        _check(received, SEVERAL_LINES_NGRAMS, what=what)


@pytest.mark.points(1)
def test_words_outside_the_vocabulary_are_skipped(submission: Submission) -> None:
    """words missing from the vocabulary are left out before the prefixes are taken"""
    what = f"{FUNCTION}([{UNKNOWN_WORDS_LINE!r}], vocabulary)"
    received = _sequences(submission.call(FUNCTION, [UNKNOWN_WORDS_LINE], VOCABULARY), what=what)
    if received != UNKNOWN_WORDS_NGRAMS and received != _without_whole_lines(UNKNOWN_WORDS_NGRAMS):
        raise fail(
            f"{what} with vocabulary {VOCABULARY}",
            expected=UNKNOWN_WORDS_NGRAMS,
            received=received,
            hint="'foe', 'to', 'too' and 'cruel' are not in the vocabulary: drop them from "
            "the line's ids (if word in vocabulary) before taking the prefixes.",
        )
