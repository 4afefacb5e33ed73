"""Week 7 grader, part 3: ``build_vocabulary`` (exercise 7.5).

Exact answers on the first four lines of sonnet 46, with the expected vocabulary written out
below. They mix upper and lower case ("Mine"/"mine", "My"/"my"), end in punctuation and
hold an apostrophe ("picture's"); three words occur three times ("mine", "eye", "heart"),
five twice and sixteen once, so the order of equally frequent words decides most ids: in
order of first appearance, not alphabetical.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail

LINES = [
    "Mine eye and heart are at a mortal war,",
    "How to divide the conquest of thy sight;",
    "Mine eye my heart thy picture's sight would bar,",
    "My heart mine eye the freedom of that right.",
]
EXPECTED = {
    "mine": 1,
    "eye": 2,
    "heart": 3,
    "the": 4,
    "of": 5,
    "thy": 6,
    "sight": 7,
    "my": 8,
    "and": 9,
    "are": 10,
    "at": 11,
    "a": 12,
    "mortal": 13,
    "war": 14,
    "how": 15,
    "to": 16,
    "divide": 17,
    "conquest": 18,
    "picture's": 19,
    "would": 20,
    "bar": 21,
    "freedom": 22,
    "that": 23,
    "right": 24,
}


@pytest.fixture(scope="module")
def vocabulary(submission: Submission) -> dict[str, int]:
    value = expect(submission.call("build_vocabulary", LINES), dict, what="build_vocabulary()")
    vocabulary = {}
    for word, index in value.items():
        # A numpy integer crosses over as a 0-d array: accept it as the int it holds.
        if isinstance(index, np.ndarray) and index.ndim == 0 and index.dtype.kind in "iu":
            index = int(index)
        if type(index) is not int:
            raise fail(
                f"the id of {word!r} in build_vocabulary(lines)",
                expected="an int",
                received=f"{index!r} ({type(index).__name__})",
                hint="map each word to its id, an int.",
            )
        vocabulary[word] = index
    return vocabulary


def _words(words: set[str]) -> str:
    return ", ".join(repr(word) for word in sorted(words)) or "none"


@pytest.mark.points(1)
def test_vocabulary_numbers_every_word_once(vocabulary: dict[str, int]) -> None:
    """build_vocabulary maps every word of split_words to one id, from 1 to the word count"""
    what = "the words of build_vocabulary(lines) for the first four lines of sonnet 46"
    missing, extra = set(EXPECTED) - set(vocabulary), set(vocabulary) - set(EXPECTED)
    if missing or extra:
        raise fail(
            what,
            expected=f"the {len(EXPECTED)} distinct words of split_words(line)",
            received=f"missing {_words(missing)}; unexpected {_words(extra)}",
            hint="cut every line with split_words(line): it lower-cases and drops punctuation.",
        )
    ids = sorted(vocabulary.values())
    if ids != list(range(1, len(EXPECTED) + 1)):
        raise fail(
            "the ids of build_vocabulary(lines)",
            expected=f"1 to {len(EXPECTED)}, each once",
            received=ids,
            hint="start at 1 (0 is kept for padding) and give every word its own id.",
        )


@pytest.mark.points(2)
def test_most_frequent_words_come_first(vocabulary: dict[str, int]) -> None:
    """ids follow the word counts, equally frequent words in order of first appearance"""
    for word, index in EXPECTED.items():
        if vocabulary.get(word) != index:
            received = sorted(vocabulary, key=lambda w: vocabulary[w])
            raise fail(
                f"the id of {word!r} (the words by id: {list(EXPECTED)[:10]}...)",
                expected=index,
                received=f"{vocabulary.get(word)} (the words by id: {received[:10]}...)",
                hint="sort by decreasing count with a stable sort, so that words counted "
                "equally keep the order in which they first appear; "
                "collections.Counter(words).most_common() does both.",
            )
