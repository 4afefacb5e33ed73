"""Week 6 grader, part 1: standardising text (exercise 6.1).

Exact answers, no thresholds: the expected strings are computed here (reference.py's
``reference_standardize``). The worker calls ``standardize`` on a ``tf.string`` tensor and
returns the strings decoded from UTF-8. Each check's inputs isolate one rule, so a mistake
fails only the check that names it: the lower-casing inputs have no punctuation, the
punctuation inputs no capitals.

Drawn at each grading (``fresh_rng``), from the word lists of reference.py:

* lower-casing: 3 to 6 sentences of 3 to 8 words, each word as it is, capitalised, in
  capitals or with random letters in capitals (every sentence has at least one capital),
  some with a number such as ``21st``; words joined by one or two spaces;
* punctuation: 3 to 5 sentences of 4 to 8 lower-case words among which all 32 ASCII
  punctuation characters are dealt, each inside a word (where deleting and replacing by a
  space give different words), after a word or alone between spaces; on top of that,
  every sentence holds a word with punctuation inside it (``don't``, ``co-writer``...),
  one sentence a number with a comma and a point (``1,000.5``), and one a word outside
  ASCII (``naïve``), alone and joined to another word by a hyphen: those letters must stay.
  No input has capitals outside ASCII, which ``tf.strings.lower`` leaves alone;
* shape: a tensor of 1 to 3 dimensions, each of 1 to 3 strings, for the shape check.
"""

from __future__ import annotations

import string

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import fail, fresh_rng

from .reference import Words, standardize

pytestmark = pytest.mark.visibility("visible")

PUNCTUATION = string.punctuation


def _recase(rng: np.random.Generator, word: str) -> str:
    """``word`` as it is, capitalised, in capitals, or with random letters in capitals."""
    style = int(rng.integers(4))
    if style == 3:
        return "".join(c.upper() if rng.random() < 0.5 else c for c in word)
    return (word, word.capitalize(), word.upper())[style]


def _join(rng: np.random.Generator, tokens: list[str]) -> str:
    """The tokens separated by one space, or now and then two."""
    return tokens[0] + "".join((" " if rng.random() < 0.8 else "  ") + t for t in tokens[1:])


def _lower_case_inputs(rng: np.random.Generator, words: Words) -> list[str]:
    texts = []
    for _ in range(int(rng.integers(3, 7))):
        tokens = [str(word) for word in rng.choice(words.plain, size=int(rng.integers(3, 9)))]
        if rng.random() < 0.5:
            number = f"{rng.integers(1, 100)}{rng.choice(['st', 'th', 'd', 's', ''])}"
            tokens.insert(int(rng.integers(len(tokens) + 1)), number)
        tokens = [_recase(rng, token) for token in tokens]
        if not any(c.isupper() for token in tokens for c in token):
            position = int(rng.integers(len(tokens)))
            tokens[position] = tokens[position].upper() + "X" * tokens[position].isdigit()
        texts.append(_join(rng, tokens))
    return texts


def _punctuation_inputs(rng: np.random.Generator, words: Words) -> list[str]:
    marks = list(PUNCTUATION)
    rng.shuffle(marks)
    count = int(rng.integers(3, 6))
    texts = []
    for index, group in enumerate(np.array_split(np.array(marks), count)):
        tokens = [str(word) for word in rng.choice(words.plain, size=int(rng.integers(4, 9)))]
        for mark in map(str, group):
            place, position = int(rng.integers(3)), int(rng.integers(len(tokens)))
            word = tokens[position]
            if place == 0 and len(word) >= 2 and word.isalpha():
                cut = int(rng.integers(1, len(word)))
                tokens[position] = word[:cut] + mark + word[cut:]
            elif place == 1:
                tokens[position] = word + mark
            else:
                tokens.insert(position, mark * int(rng.integers(1, 3)))
        compound, _ = words.compound[int(rng.integers(len(words.compound)))]
        tokens.insert(int(rng.integers(len(tokens) + 1)), compound)
        if index == 0:
            number = f"{rng.integers(1, 10)},{rng.integers(100, 1000)}.{rng.integers(1, 10)}"
            tokens.insert(int(rng.integers(len(tokens) + 1)), number)
        if index == 1:
            first, second = (str(word) for word in rng.choice(words.accented, 2, replace=False))
            joined = f"{second}-{rng.choice(words.plain)}"
            tokens[int(rng.integers(len(tokens)))] += f" {first}"
            tokens.insert(int(rng.integers(len(tokens) + 1)), joined)
        texts.append(_join(rng, tokens))
    return texts


def _grid(rng: np.random.Generator, words: Words) -> np.ndarray:
    shape = tuple(int(size) for size in rng.integers(1, 4, size=int(rng.integers(1, 4))))
    cells = [
        _recase(rng, str(word)) + str(rng.choice([*PUNCTUATION[:12], "", ""]))
        for word in rng.choice(words.plain, size=int(np.prod(shape)))
    ]
    return np.array(cells).reshape(shape)


def _standardized(submission: Submission, texts: np.ndarray) -> dict[str, object]:
    """The probe's description of ``standardize(tf.constant(texts))``: the returned
    object's class and dtype, and its value."""
    report: dict[str, object] = submission.probe(
        "text.strings", action="standardize(texts)", function="standardize", args=[texts]
    )
    return report


def _check_standardized(submission: Submission, texts: list[str], *, hint: str) -> None:
    """``standardize`` returns each of ``texts`` as reference.py standardises it."""
    report = _standardized(submission, np.array(texts))
    value = report["value"]
    array = np.asarray(value) if isinstance(value, list | np.ndarray) else None
    if array is None or array.dtype.kind != "U" or array.size != len(texts):
        raise fail(
            f"standardize() for {len(texts)} strings",
            expected=f"{len(texts)} strings, one per input",
            received=f"a {report['class']}"
            + (f" of {array.size} {array.dtype} values" if array is not None else ""),
            hint="return the tensor that tf.strings.regex_replace gives back.",
        )
    for text, received in zip(texts, array.reshape(-1), strict=True):
        if str(received) != standardize(text):
            raise fail(
                f"standardize({text!r})",
                expected=repr(standardize(text)),
                received=repr(str(received)),
                hint=hint,
            )


@pytest.mark.points(1)
def test_standardize_lower_cases(submission: Submission, words: Words) -> None:
    """standardize lower-cases every letter"""
    texts = _lower_case_inputs(fresh_rng(submission, "standardize", "lower case"), words)
    _check_standardized(
        submission,
        texts,
        hint="apply tf.strings.lower to the whole tensor, and change nothing else.",
    )


@pytest.mark.points(2)
def test_standardize_deletes_punctuation(submission: Submission, words: Words) -> None:
    """standardize deletes ASCII punctuation and keeps everything else"""
    texts = _punctuation_inputs(fresh_rng(submission, "standardize", "punctuation"), words)
    _check_standardized(
        submission,
        texts,
        hint="replace every character of string.punctuation with '' (not with a space, so "
        '"it\'s" becomes "its"), e.g. tf.strings.regex_replace(texts, pattern, \'\'); '
        "leave letters, digits, non-ASCII characters and whitespace alone.",
    )


@pytest.mark.points(1)
def test_standardize_returns_a_string_tensor_of_the_same_shape(
    submission: Submission, words: Words
) -> None:
    """standardize returns a tf.string tensor shaped like its input"""
    grid = _grid(fresh_rng(submission, "standardize", "shape"), words)
    report = _standardized(submission, grid)
    value = report.get("value")
    if report.get("dtype") != "string" or not isinstance(value, np.ndarray):
        raise fail(
            "the value standardize() returns",
            expected="a tf.string tensor",
            received=f"a {report.get('class')}"
            + (f" of dtype {report.get('dtype')}" if report.get("dtype") else ""),
            hint="use TensorFlow string operations (tf.strings.lower, "
            "tf.strings.regex_replace) on the tensor itself, so that TextVectorization can "
            "call your function on a batch.",
        )
    if value.shape != grid.shape:
        raise fail(
            f"the shape of standardize(texts) for texts of shape {grid.shape}",
            expected=str(grid.shape),
            received=str(value.shape),
            hint="work element by element and keep the input's shape.",
        )
