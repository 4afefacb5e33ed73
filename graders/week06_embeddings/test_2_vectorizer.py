"""Week 6 grader, part 2: the ``TextVectorization`` layer (exercise 6.2).

Exact answers: no thresholds. ``build_vectorizer`` is adapted in the worker to a six-sentence
corpus whose eight words (after standardising) occur 8, 7, 6, 5, 4, 3, 2 and 1 times, so
the vocabulary's order is unambiguous (Keras breaks ties between equally frequent words by
their text, which no student should have to know). It is built twice: with
``max_tokens=8`` (the cap keeps the six most frequent words after ``''`` and ``'[UNK]'``)
and ``max_tokens=20`` (every word), and each layer is applied to grader strings that hold
capitals, punctuation, a word outside the vocabulary, an empty string and a sentence longer
than ``sequence_length``. The expected vocabularies are golden; the expected token ids are
computed here from the vocabulary the layer returned, so a wrong vocabulary fails only the
vocabulary check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import check_array, fail

CORPUS = [
    "The film? A FILM, a film!",
    "Don't -- it's the film.",
    "A funny co-writer; a FUNNY movie.",
    "It's the film. Don't! DON'T.",
    "Don't... the movie: the film, it's a (a) ...",
    "Don't: the 'film'. IT'S THE funny film!",
]
WORDS_BY_FREQUENCY = ["film", "the", "a", "dont", "its", "funny", "movie", "cowriter"]
SPECIAL = ["", "[UNK]"]
PROBE_TEXTS = [
    "The FILM's plot? Funny!",
    "Don't.",
    "",
    "a a a the the the film film film dont its funny movie cowriter",
    "Co-writer, movie -- zany MOVIE",
]
# (max_tokens, sequence_length): the first caps the vocabulary, the second does not.
SETTINGS = [(8, 6), (20, 12)]
#: The ``token_ids`` fixture from conftest.py: (texts, vocabulary, sequence_length) -> ids.
TokenIds = Callable[[Sequence[str], Sequence[str], int], np.ndarray]


def _expected_vocabulary(max_tokens: int) -> list[str]:
    return (SPECIAL + WORDS_BY_FREQUENCY)[:max_tokens]


@pytest.fixture(scope="module")
def layers(submission: Submission) -> list[dict[str, Any]]:
    """For each setting: the vocabulary and the outputs for ``PROBE_TEXTS``."""
    described = []
    for max_tokens, sequence_length in SETTINGS:
        report = submission.probe(
            "text.vectorizer",
            action=f"build_vectorizer(texts, {max_tokens}, {sequence_length})",
            function="build_vectorizer",
            args=[CORPUS, max_tokens, sequence_length],
            inputs=PROBE_TEXTS,
        )
        described.append(expect(report, dict, what="the vectorizer description"))
    return described


def _vocabulary(report: dict[str, Any]) -> list[str]:
    vocabulary = expect(report.get("vocabulary"), list, what="the vocabulary")
    return [expect(token, str, what="a token") for token in vocabulary]


def _call(max_tokens: int, sequence_length: int) -> str:
    return f"build_vectorizer(corpus, max_tokens={max_tokens}, sequence_length={sequence_length})"


@pytest.mark.points(1)
def test_vectorizer_special_tokens(layers: list[dict[str, Any]]) -> None:
    """the vocabulary starts with the padding token '' and '[UNK]'"""
    for report, (max_tokens, sequence_length) in zip(layers, SETTINGS, strict=True):
        head = _vocabulary(report)[:2]
        if head != SPECIAL:
            raise fail(
                f"the first two tokens of the vocabulary of {_call(max_tokens, sequence_length)}",
                expected=repr(SPECIAL),
                received=repr(head),
                hint="keep TextVectorization's defaults for output_mode='int': index 0 pads, "
                "index 1 stands for every word outside the vocabulary. Do not pass a "
                "vocabulary yourself; call adapt(texts).",
            )


@pytest.mark.points(2)
def test_vectorizer_vocabulary(layers: list[dict[str, Any]]) -> None:
    """the vocabulary holds the most frequent standardised words, at most max_tokens"""
    for report, (max_tokens, sequence_length) in zip(layers, SETTINGS, strict=True):
        received = _vocabulary(report)
        expected = _expected_vocabulary(max_tokens)
        if received == expected:
            continue
        what = f"the vocabulary of {_call(max_tokens, sequence_length)}"
        if len(received) != len(expected):
            hint = "pass max_tokens to TextVectorization as it is: the cap counts '' and '[UNK]'."
        else:
            hint = (
                "standardise with your standardize function (lower-case, punctuation "
                "deleted) and adapt the layer to the texts you were given."
            )
        raise fail(
            what,
            expected=f"{len(expected)} tokens {expected}",
            received=f"{len(received)} tokens {received[:12]}",
            hint=hint,
        )


@pytest.mark.points(1)
def test_vectorizer_output_shape(layers: list[dict[str, Any]]) -> None:
    """the layer turns N strings into int64 token ids of shape (N, sequence_length)"""
    for report, (max_tokens, sequence_length) in zip(layers, SETTINGS, strict=True):
        check_array(
            report.get("outputs"),
            f"the output of {_call(max_tokens, sequence_length)} for {len(PROBE_TEXTS)} strings",
            dtype="int64",
            shape=(len(PROBE_TEXTS), sequence_length),
            hint="pass output_mode='int' and output_sequence_length=sequence_length, so every "
            "row is padded or cut to the same length.",
        )


@pytest.mark.points(2)
def test_vectorizer_token_ids(layers: list[dict[str, Any]], token_ids: TokenIds) -> None:
    """each word becomes its vocabulary index; unknown words 1, padding 0 at the end"""
    for report, (max_tokens, sequence_length) in zip(layers, SETTINGS, strict=True):
        outputs = report.get("outputs")
        if not isinstance(outputs, np.ndarray) or outputs.shape != (
            len(PROBE_TEXTS),
            sequence_length,
        ):
            raise fail(
                f"the output of {_call(max_tokens, sequence_length)}",
                expected=f"token ids of shape ({len(PROBE_TEXTS)}, {sequence_length})",
                received="another shape" if isinstance(outputs, np.ndarray) else "no array",
                hint="see the check on the output shape.",
            )
        expected = token_ids(PROBE_TEXTS, _vocabulary(report), sequence_length)
        for text, want, got in zip(PROBE_TEXTS, expected, outputs, strict=True):
            if not np.array_equal(want, got):
                raise fail(
                    f"the token ids for {text!r} from {_call(max_tokens, sequence_length)}",
                    expected=want.tolist(),
                    received=got.tolist(),
                    hint="apply the standardisation before splitting on whitespace, keep "
                    "words in order, and pad with 0 at the end (the default).",
                )
