"""Week 7 grader, part 4: ``make_ngram_sequences`` (exercise 7.6).

Exact answers on sonnet lines (``course.datasets.shakespeare_sonnets``) and vocabularies
drawn at each grading (``fresh_rng``), not made by ``build_vocabulary`` (so that a wrong
``build_vocabulary`` does not fail these checks); the expected sequences are computed here
with the grader's copy of the contract (text.py). The vocabularies number their words
in a random order, never in line order, so that ids counted by position fail:

* one line of at least 4 distinct words, with a vocabulary that also holds the words of
  a second line and a few words of a third;
* a second line of at least 5 distinct words, 2 or 3 of which (absent from the first line)
  are left out of that vocabulary, so that at least 3 known words remain;
* 2 or 3 lines and, at a random place among them, a line of one known word ("O!"), with a
  vocabulary of all their words.

A line of ids ``[a, b, c, d]`` must give ``[a, b]``, ``[a, b, c]`` and ``[a, b, c, d]``:
prefixes of 2 ids or more, the whole line included. Only the first check judges whether
the whole line is there; the others accept its absence, so that one mistake costs one
check. Sequences may come back as lists or integer arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from course.datasets import shakespeare_sonnets
from course.grading.submission import Submission
from course.testing import fail, fresh_rng

from . import text

pytestmark = pytest.mark.visibility("visible")


FUNCTION = "make_ngram_sequences"


@dataclass(frozen=True)
class Draw:
    """One grading's lines and vocabularies."""

    first_line: str
    unknown_words_line: str
    #: Words of ``unknown_words_line`` that ``vocabulary`` leaves out.
    left_out: list[str]
    vocabulary: dict[str, int]
    several_lines: list[str]
    several_lines_vocabulary: dict[str, int]


def _numbered(rng: np.random.Generator, words: Sequence[str]) -> dict[str, int]:
    """``words`` numbered 1, 2, ... in a random order that is not their own."""
    while True:
        ids = rng.permutation(len(words)) + 1
        if len(words) < 2 or not np.array_equal(ids, np.arange(1, len(words) + 1)):
            return {word: int(index) for word, index in zip(words, ids, strict=True)}


@pytest.fixture(scope="module")
def drawn(submission: Submission) -> Draw:
    rng = fresh_rng(submission, FUNCTION)
    sonnets = shakespeare_sonnets()

    def line(at_least: int, unlike: Sequence[str] = ()) -> str:
        while True:
            drawn = sonnets[int(rng.integers(len(sonnets)))]
            if len(set(text.split_words(drawn))) >= at_least and drawn not in unlike:
                return drawn

    first = line(4)
    first_words = list(dict.fromkeys(text.split_words(first)))
    while True:
        second = line(5, [first])
        words = list(dict.fromkeys(text.split_words(second)))
        candidates = [word for word in words if word not in first_words]
        if len(candidates) < 2:
            continue
        count = min(int(rng.integers(2, 4)), len(candidates))
        left_out: list[str] = rng.choice(candidates, count, replace=False).tolist()
        if len([w for w in text.split_words(second) if w not in left_out]) >= 3:
            break
    extra = text.split_words(line(1, [first, second]))[: int(rng.integers(0, 6))]
    known = [w for w in dict.fromkeys(first_words + words + extra) if w not in left_out]
    vocabulary = _numbered(rng, known)
    while [vocabulary[w] for w in first_words] == list(range(1, len(first_words) + 1)):
        vocabulary = _numbered(rng, known)

    several = [line(2) for _ in range(int(rng.integers(2, 4)))]
    several_words = list(dict.fromkeys(w for item in several for w in text.split_words(item)))
    lone = str(rng.choice(several_words))
    several.insert(int(rng.integers(len(several) + 1)), lone.capitalize() + "!")
    return Draw(first, second, left_out, vocabulary, several, _numbered(rng, several_words))


def _check_ngrams(
    submission: Submission,
    lines: list[str],
    vocabulary: dict[str, int],
    *,
    whole_line_optional: bool = False,
    hint: str = "for each line, take ids[:end] for end in range(2, len(ids) + 1), shortest "
    "first, line after line.",
) -> None:
    """``make_ngram_sequences(lines, vocabulary)`` in the worker gives the prefixes of the
    lines, as lists or integer arrays of ints; without the whole lines too, when they are
    optional (their absence is the first check's mistake)."""
    what = f"{FUNCTION}({lines!r}, vocabulary)"
    value = submission.call(FUNCTION, lines, vocabulary)
    if not isinstance(value, list):
        raise fail(what, expected="a list of sequences", received=type(value).__name__)
    received = []
    for item in map(text.plain, value):
        item = [text.plain(i) for i in item] if isinstance(item, list) else item
        if not isinstance(item, list) or not all(type(i) is int for i in item):
            raise fail(
                f"every sequence of {what}", expected="a list of int ids", received=repr(item)[:80]
            )
        received.append(item)
    expected, short = (
        text.ngrams(lines, vocabulary),
        text.ngrams(lines, vocabulary, whole_line=False),
    )
    if received == expected or (whole_line_optional and received == short):
        return
    if received == short:
        hint = "the whole line is missing: the last prefix is the line itself, so end runs up "
        hint += "to len(ids) inclusive: range(2, len(ids) + 1)."
    raise fail(
        f"{what} with vocabulary {vocabulary}", expected=expected, received=received, hint=hint
    )


@pytest.mark.points(2)
def test_ngrams_of_one_line(submission: Submission, drawn: Draw) -> None:
    """one line gives its prefixes of 2 ids or more, shortest first, the whole line last"""
    _check_ngrams(submission, [drawn.first_line], drawn.vocabulary)


@pytest.mark.points(1)
def test_ngrams_of_several_lines_in_order(submission: Submission, drawn: Draw) -> None:
    """the sequences of several lines come line after line; a one-word line gives none"""
    lines, vocabulary = drawn.several_lines, drawn.several_lines_vocabulary
    _check_ngrams(submission, lines, vocabulary, whole_line_optional=True)


@pytest.mark.points(1)
def test_words_outside_the_vocabulary_are_skipped(submission: Submission, drawn: Draw) -> None:
    """words missing from the vocabulary are left out before the prefixes are taken"""
    missing = " and ".join(repr(word) for word in drawn.left_out)
    _check_ngrams(
        submission,
        [drawn.unknown_words_line],
        drawn.vocabulary,
        whole_line_optional=True,
        hint=f"{missing} are not in the vocabulary: drop them from the line's ids (if word in "
        "vocabulary) before taking the prefixes.",
    )
