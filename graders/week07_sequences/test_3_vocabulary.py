"""Week 7 grader, part 3: ``build_vocabulary`` (exercise 7.5).

Exact answers on 3 to 5 sonnet lines (``course.datasets.shakespeare_sonnets``) drawn at each
grading (``fresh_rng``), some of their words put in capitals or capitalised; the expected
vocabulary is computed here with the grader's copy of the contract (text.py). The draw
is repeated until the lines hold every case the checks separate: a word written in two
cases ("Mine"/"mine"), a word with an apostrophe ("picture's"), a word that occurs more
often than one before it (so numbering by first appearance alone is wrong), and equally
frequent words whose order of first appearance is not alphabetical (so breaking ties
alphabetically is wrong).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from course.datasets import shakespeare_sonnets
from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail, fresh_rng

from . import text

pytestmark = pytest.mark.visibility("visible")


_LETTERS = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")


def _recase(rng: np.random.Generator, line: str) -> str:
    """``line`` with some words in capitals or capitalised."""

    def change(match: re.Match[str]) -> str:
        word = match.group(0)
        roll = rng.random()
        return word.upper() if roll < 0.05 else word.capitalize() if roll < 0.15 else word

    return _LETTERS.sub(change, line)


def _separates_every_mistake(lines: list[str]) -> bool:
    written = {word for line in lines for word in _LETTERS.findall(line)}
    counts = Counter(word for line in lines for word in text.split_words(line))
    by_frequency = list(text.vocabulary(lines))
    return (
        len(written) > len(counts)
        and any("'" in word for word in counts)
        and by_frequency != list(counts)
        and by_frequency != sorted(counts, key=lambda word: (-counts[word], word))
    )


@pytest.fixture(scope="module")
def lines(submission: Submission) -> list[str]:
    rng = fresh_rng(submission, "build_vocabulary")
    sonnets = shakespeare_sonnets()
    while True:
        chosen = rng.choice(len(sonnets), int(rng.integers(3, 6)), replace=False)
        drawn = [_recase(rng, sonnets[int(i)]) for i in chosen]
        if _separates_every_mistake(drawn):
            return drawn


@pytest.fixture(scope="module")
def vocabulary(submission: Submission, lines: list[str]) -> dict[str, int]:
    value = expect(submission.call("build_vocabulary", lines), dict, what="build_vocabulary()")
    vocabulary = {word: text.plain(index) for word, index in value.items()}
    for word, index in vocabulary.items():
        if type(index) is not int:
            raise fail(
                f"the id of {word!r} in build_vocabulary(lines)",
                expected="an int",
                received=f"{index!r} ({type(index).__name__})",
                hint="map each word to its id, an int.",
            )
    return vocabulary


def _words(words: set[str]) -> str:
    return ", ".join(repr(word) for word in sorted(words)) or "none"


@pytest.mark.points(1)
def test_vocabulary_numbers_every_word_once(vocabulary: dict[str, int], lines: list[str]) -> None:
    """build_vocabulary maps every word of split_words to one id, from 1 to the word count"""
    expected = text.vocabulary(lines)
    what = f"the words of build_vocabulary(lines) for the lines {lines}"
    missing, extra = set(expected) - set(vocabulary), set(vocabulary) - set(expected)
    if missing or extra:
        raise fail(
            what,
            expected=f"the {len(expected)} distinct words of split_words(line)",
            received=f"missing {_words(missing)}; unexpected {_words(extra)}",
            hint="cut every line with split_words(line): it lower-cases and drops punctuation.",
        )
    ids = sorted(vocabulary.values())
    if ids != list(range(1, len(expected) + 1)):
        raise fail(
            "the ids of build_vocabulary(lines)",
            expected=f"1 to {len(expected)}, each once",
            received=ids,
            hint="start at 1 (0 is kept for padding) and give every word its own id.",
        )


@pytest.mark.points(2)
def test_most_frequent_words_come_first(vocabulary: dict[str, int], lines: list[str]) -> None:
    """ids follow the word counts, equally frequent words in order of first appearance"""
    expected = text.vocabulary(lines)
    for word, index in expected.items():
        if vocabulary.get(word) != index:
            received = sorted(vocabulary, key=lambda w: vocabulary[w])
            raise fail(
                f"the id of {word!r} in build_vocabulary({lines}) (the words by id: "
                f"{list(expected)[:10]}...)",
                expected=index,
                received=f"{vocabulary.get(word)} (the words by id: {received[:10]}...)",
                hint="sort by decreasing count with a stable sort, so that words counted "
                "equally keep the order in which they first appear; "
                "collections.Counter(words).most_common() does both.",
            )
