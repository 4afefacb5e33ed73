"""Week 6 grader, part 2: the ``TextVectorization`` layer (exercise 6.2).

Exact answers, no thresholds. ``build_vectorizer`` is adapted in the worker to a corpus
drawn at each grading (``fresh_rng``): 7 to 10 words of reference.py's lists, two of them
written with punctuation inside (``don't``, ``co-writer``...), each given its own number of
occurrences between 1 and 12 (all different, so the vocabulary's order is unambiguous:
Keras breaks ties between equally frequent words by their text, which no student should
have to know). The occurrences are shuffled, dealt into 4 to 7 sentences, and written in
capitals, capitalised or as they are, some followed by punctuation, in quotes or in
brackets, with a stray ``--`` here and there.

The layer is built twice: with ``max_tokens`` from 5 to the number of words + 1 (the cap
keeps the most frequent words after ``''`` and ``'[UNK]'``) and ``sequence_length`` 4 to 7,
and with ``max_tokens`` from the number of words + 2 to 15 more (every word) and
``sequence_length`` 9 to 15. Each layer is applied to 5 or 6 drawn strings: one with a
compound word, a word outside the vocabulary and a known word, 3 words in all (so padded);
the empty string; one of 16 to 20 words, longer than either ``sequence_length`` (so cut);
two or three more of 1 to 5 words. The expected vocabularies are computed from the drawn
counts; the expected token ids are computed here from the vocabulary the layer returned,
so a wrong vocabulary fails only the vocabulary check.

Equivalent mutants:
    build_vectorizer:default-argument:output_mode - "int" is TextVectorization's default
        output_mode: the same layer.
    build_vectorizer:default-argument:standardize - the default standardisation,
        "lower_and_strip_punctuation", is the one exercise 6.1 asks the student to write
        (6.1 grades their function on its own): the layer's vocabulary and token ids are
        the same, and nothing a student should be graded on differs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, fail, fresh_rng

from .reference import SPECIAL, Words, token_ids

pytestmark = pytest.mark.visibility("visible")


@dataclass(frozen=True)
class Draw:
    """One grading's corpus, its words by frequency, the settings and the strings to apply."""

    corpus: list[str]
    words_by_frequency: list[str]
    #: (max_tokens, sequence_length): the first caps the vocabulary, the second does not.
    settings: list[tuple[int, int]]
    probe_texts: list[str]


def _render(rng: np.random.Generator, written: str) -> str:
    """One occurrence of a word as a person might type it."""
    style = rng.integers(5)
    word = written.upper() if style == 0 else written.capitalize() if style == 1 else written
    decoration = rng.integers(8)
    if decoration == 0:
        word = f"'{word}'"
    elif decoration == 1:
        word = f"({word})"
    elif decoration in (2, 3):
        word += str(rng.choice([",", ".", "!", "?", ";", ":", "...", "!?"]))
    if rng.random() < 0.1:
        word = "-- " + word
    return word


@pytest.fixture(scope="module")
def drawn(submission: Submission, words: Words) -> Draw:
    rng = fresh_rng(submission, "build_vectorizer")
    count = int(rng.integers(7, 11))
    compound = [words.compound[i] for i in rng.choice(len(words.compound), 2, replace=False)]
    plain = [str(word) for word in rng.choice(words.plain, count - 2, replace=False)]
    written = {word: word for word in plain} | {standard: text for text, standard in compound}
    standards = list(written)
    rng.shuffle(standards)
    counts = sorted(int(c) for c in rng.choice(np.arange(1, 13), count, replace=False))[::-1]
    occurrences = [word for word, n in zip(standards, counts, strict=True) for _ in range(n)]
    rng.shuffle(occurrences)
    sentences = int(rng.integers(4, 8))
    cuts = np.sort(rng.choice(np.arange(1, len(occurrences)), sentences - 1, replace=False))
    corpus = [
        " ".join(_render(rng, written[word]) for word in part)
        for part in np.split(np.array(occurrences), cuts)
    ]
    capped = (int(rng.integers(5, count + 2)), int(rng.integers(4, 8)))
    full = (int(rng.integers(count + 2, count + 18)), int(rng.integers(9, 16)))

    unknown = [str(word) for word in words.plain if word not in written]

    def some(size: int) -> list[str]:
        return [_render(rng, written[str(word)]) for word in rng.choice(standards, size=size)]

    first = [
        *some(1),
        _render(rng, str(rng.choice(unknown))),
        _render(rng, compound[int(rng.integers(2))][0]),
    ]
    rng.shuffle(first)
    texts = [" ".join(first), "", " ".join(some(int(rng.integers(16, 21))))]
    texts += [" ".join(some(int(rng.integers(1, 6)))) for _ in range(int(rng.integers(2, 4)))]
    order = rng.permutation(len(texts))
    return Draw(
        corpus=corpus,
        words_by_frequency=standards,
        settings=[capped, full],
        probe_texts=[texts[i] for i in order],
    )


@dataclass(frozen=True)
class Layer:
    """A layer ``build_vectorizer`` built in the worker: its vocabulary (a list of strings,
    as the probe's reply promises), and its output for the drawn strings."""

    call: str
    max_tokens: int
    sequence_length: int
    vocabulary: list[str]
    outputs: object


@pytest.fixture(scope="module")
def layers(submission: Submission, drawn: Draw) -> list[Layer]:
    """The layer built with each setting."""
    built = []
    for max_tokens, length in drawn.settings:
        report = submission.probe(
            "text.vectorizer",
            action=f"build_vectorizer(texts, {max_tokens}, {length})",
            function="build_vectorizer",
            args=[drawn.corpus, max_tokens, length],
            inputs=drawn.probe_texts,
        )
        call = f"build_vectorizer(corpus, max_tokens={max_tokens}, sequence_length={length})"
        built.append(Layer(call, max_tokens, length, report["vocabulary"], report["outputs"]))
    return built


@pytest.mark.points(1)
def test_vectorizer_special_tokens(layers: list[Layer]) -> None:
    """the vocabulary starts with the padding token '' and '[UNK]'"""
    for layer in layers:
        if layer.vocabulary[:2] != SPECIAL:
            raise fail(
                f"the first two tokens of the vocabulary of {layer.call}",
                expected=repr(SPECIAL),
                received=repr(layer.vocabulary[:2]),
                hint="keep TextVectorization's defaults for output_mode='int': index 0 pads, "
                "index 1 stands for every word outside the vocabulary. Do not pass a "
                "vocabulary yourself; call adapt(texts).",
            )


@pytest.mark.points(2)
def test_vectorizer_vocabulary(layers: list[Layer], drawn: Draw) -> None:
    """the vocabulary holds the most frequent standardised words, at most max_tokens"""
    for layer in layers:
        received = layer.vocabulary
        expected = (SPECIAL + drawn.words_by_frequency)[: layer.max_tokens]
        if received != expected:
            raise fail(
                f"the vocabulary of {layer.call} for the corpus {drawn.corpus}",
                expected=f"{len(expected)} tokens {expected}",
                received=f"{len(received)} tokens {received[:14]}",
                hint="pass max_tokens to TextVectorization as it is: the cap counts '' and '[UNK]'."
                if len(received) != len(expected)
                else "standardise with your standardize function (lower-case, punctuation "
                "deleted) and adapt the layer to the texts you were given.",
            )


@pytest.mark.points(1)
def test_vectorizer_output_shape(layers: list[Layer], drawn: Draw) -> None:
    """the layer turns N strings into int64 token ids of shape (N, sequence_length)"""
    count = len(drawn.probe_texts)
    for layer in layers:
        check_array(
            layer.outputs,
            f"the output of {layer.call} for {count} strings",
            dtype="int64",
            shape=(count, layer.sequence_length),
            hint="pass output_mode='int' and output_sequence_length=sequence_length, so every "
            "row is padded or cut to the same length.",
        )


@pytest.mark.points(2)
def test_vectorizer_token_ids(layers: list[Layer], drawn: Draw) -> None:
    """each word becomes its vocabulary index; unknown words 1, padding 0 at the end"""
    texts = drawn.probe_texts
    for layer in layers:
        outputs = check_array(
            layer.outputs,
            f"the output of {layer.call}",
            shape=(len(texts), layer.sequence_length),
            hint="see the check on the output shape.",
        )
        vocabulary = layer.vocabulary
        expected = token_ids(texts, vocabulary, layer.sequence_length)
        for text, want, got in zip(texts, expected, outputs, strict=True):
            if not np.array_equal(want, got):
                raise fail(
                    f"the token ids for {text!r} from {layer.call}, whose vocabulary is "
                    f"{vocabulary[:14]}",
                    expected=want.tolist(),
                    received=got.tolist(),
                    hint="apply the standardisation before splitting on whitespace, keep "
                    "words in order, and pad with 0 at the end (the default).",
                )
