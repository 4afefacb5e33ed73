"""Week 6 grader, part 1: standardising text (exercise 6.1).

Exact answers: golden strings, no thresholds. The worker calls ``standardize`` on a
``tf.string`` tensor and returns the strings decoded from UTF-8. Each check's inputs isolate
one rule, so a mistake fails only the check that names it: the lower-casing inputs have no
punctuation, the punctuation inputs no capitals. The punctuation inputs hold all 32 ASCII
punctuation characters, some inside words (``it's``, ``co-writer``), where deleting and
replacing by a space give different words; and non-ASCII letters (``naïve``), which must
stay. No input has capitals outside ASCII, which ``tf.strings.lower`` leaves alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail

LOWER_CASE = {
    "The Rock Is Destined To Be The 21st Century": "the rock is destined to be the 21st century",
    "EFFECTIVE but TOO tepid BIOPIC": "effective but too tepid biopic",
    "a gorgeously elaborate continuation": "a gorgeously elaborate continuation",
    "McDonagh and DiCaprio in 3D": "mcdonagh and dicaprio in 3d",
}
PUNCTUATION = {
    "don't see it -- it's dull!": "dont see it  its dull",
    'co-writer/director j.r.r. tolkien\'s "middle-earth"': (
        "cowriterdirector jrr tolkiens middleearth"
    ),
    "(a) [b] {c} <d> @e #f $g %h ^i &j *k _l +m =n |o \\p ~q `r ;s :t ?u ,v 1,000.5": (
        "a b c d e f g h i j k l m n o p q r s t u v 10005"
    ),
    "''the lord of the rings'' trilogy, a naïve café-style fun": (
        "the lord of the rings trilogy a naïve caféstyle fun"
    ),
    "no punctuation here": "no punctuation here",
}
GRID = np.array([["One, TWO", "three!"], ["Four's", "five"], ["six", "SEVEN."]])


def _standardized(submission: Submission, texts: np.ndarray) -> dict[str, Any]:
    """The probe's description of ``standardize(tf.constant(texts))``."""
    report = submission.probe(
        "text.strings",
        action="standardize(texts)",
        function="standardize",
        args=[texts],
    )
    return expect(report, dict, what="the description of standardize()")  # type: ignore[no-any-return]


def _strings(report: dict[str, Any], count: int) -> list[str]:
    """The returned strings, in order, whatever container held them."""
    value = report.get("value")
    array = np.asarray(value) if isinstance(value, list | np.ndarray) else None
    if array is None or array.dtype.kind != "U" or array.size != count:
        raise fail(
            f"standardize() for {count} strings",
            expected=f"{count} strings, one per input",
            received=f"a {report.get('class')}"
            + (f" of {array.size} {array.dtype} values" if array is not None else ""),
            hint="return the tensor that tf.strings.regex_replace gives back.",
        )
    return [str(item) for item in array.reshape(-1)]


def _compare(inputs: dict[str, str], received: list[str], *, hint: str) -> None:
    for (text, expected), actual in zip(inputs.items(), received, strict=True):
        if actual != expected:
            raise fail(
                f"standardize({text!r})",
                expected=repr(expected),
                received=repr(actual),
                hint=hint,
            )


@pytest.mark.points(1)
def test_standardize_lower_cases(submission: Submission) -> None:
    """standardize lower-cases every letter"""
    texts = np.array(list(LOWER_CASE))
    received = _strings(_standardized(submission, texts), len(texts))
    _compare(
        LOWER_CASE,
        received,
        hint="apply tf.strings.lower to the whole tensor, and change nothing else.",
    )


@pytest.mark.points(2)
def test_standardize_deletes_punctuation(submission: Submission) -> None:
    """standardize deletes ASCII punctuation and keeps everything else"""
    texts = np.array(list(PUNCTUATION))
    received = _strings(_standardized(submission, texts), len(texts))
    _compare(
        PUNCTUATION,
        received,
        hint="replace every character of string.punctuation with '' (not with a space, so "
        '"it\'s" becomes "its"), e.g. tf.strings.regex_replace(texts, pattern, \'\'); '
        "leave letters, digits, non-ASCII characters and whitespace alone.",
    )


@pytest.mark.points(1)
def test_standardize_returns_a_string_tensor_of_the_same_shape(submission: Submission) -> None:
    """standardize returns a tf.string tensor shaped like its input"""
    report = _standardized(submission, GRID)
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
    if value.shape != GRID.shape:
        raise fail(
            f"the shape of standardize(texts) for texts of shape {GRID.shape}",
            expected=str(GRID.shape),
            received=str(value.shape),
            hint="work element by element and keep the input's shape.",
        )
