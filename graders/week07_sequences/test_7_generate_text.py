"""Week 7 grader, part 7: ``generate_text`` (exercise 7.10).

The model is the grader's, so these checks do not depend on exercise 7.9: a next-word model
built here (input 6 ids, Embedding(V, 8), LSTM(16), Dense(V, softmax)) with weights drawn
from a fixed random generator, and the vocabulary of the first 28 sonnet lines (147 words,
V = 148) made with the grader's copy of exercise 7.5. The worker rebuilds that model from
its config and weights and passes it to the submission's ``generate_text``. The output bias
of id 0 (padding) is raised by 2: in 8 of the 24 greedy steps below the padding id is the
likeliest output, so a decoder that does not leave it out picks it.

Three seed texts: one shorter than the model's 6 inputs, one of 8 known words (only its
last 6 ids fit), and one with words missing from the vocabulary ("I", "compare",
"summer's", "day"), which are skipped. Exact answers: the greedy check replays the
submission's text here, word by word, on the same model and weights, and accepts each word
whose probability is the highest within a relative 1e-4 (float round-off between two
processes). The contexts matter: padding on the right changes the words of the first and
third seeds, keeping the first 6 ids instead of the last changes all three.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import pytest

from course.datasets import shakespeare_sonnets
from course.grading.submission import Submission, model_spec
from course.testing import fail

FUNCTION = "generate_text"
SEQUENCE_LENGTH = 6
VOCABULARY_LINES = 28
WEIGHT_SEED = 2024
PADDING_BIAS = 2.0
SEEDS = (
    "From fairest creatures",
    "Thy youth's proud livery, so gazed on now,",
    "Shall I compare thee to a summer's day?",
)
LONG = 8
COUNTS = (0, 1, 3, LONG)
RELATIVE_TOLERANCE = 1e-4


class Generator:
    """The grader's model and vocabulary, and the submission's texts, each made once."""

    def __init__(self, submission: Submission, text: Any) -> None:
        self.submission = submission
        self.text = text
        self.vocabulary: dict[str, int] = text.vocabulary(shakespeare_sonnets()[:VOCABULARY_LINES])
        size = len(self.vocabulary) + 1
        self.model = keras.Sequential(
            [
                keras.Input(shape=(SEQUENCE_LENGTH,)),
                keras.layers.Embedding(size, 8),
                keras.layers.LSTM(16),
                keras.layers.Dense(size, activation="softmax"),
            ]
        )
        rng = np.random.default_rng(WEIGHT_SEED)
        weights = [rng.normal(0.0, 0.7, w.shape).astype("float32") for w in self.model.weights]
        weights[-1][0] += PADDING_BIAS
        self.model.set_weights(weights)
        self.weights = weights
        self._texts: dict[tuple[str, int, int], str] = {}

    def __call__(self, seed: str, n_words: int, *, attempt: int = 0) -> str:
        """``generate_text(model, vocabulary, seed, n_words)`` in the worker, as a str."""
        key = (seed, n_words, attempt)
        if key not in self._texts:
            value = self.submission.call(
                FUNCTION,
                model_spec(self.model.to_json(), self.weights),
                self.vocabulary,
                seed,
                n_words,
            )
            if not isinstance(value, str):
                raise fail(
                    f"{_call(seed, n_words)}",
                    expected="a str",
                    received=type(value).__name__,
                    hint="return the seed text followed by the new words, as one string.",
                )
            self._texts[key] = value
        return self._texts[key]

    def probabilities(self, context: list[int]) -> np.ndarray:
        window = self.text.pad([context], SEQUENCE_LENGTH)
        return np.asarray(self.model(window, training=False), dtype="float64")[0]


@pytest.fixture(scope="module")
def generate(submission: Submission, text: Any) -> Generator:
    return Generator(submission, text)


def _call(seed: str, n_words: int) -> str:
    return f"{FUNCTION}(model, vocabulary, {seed!r}, {n_words})"


def new_words(result: str, seed: str) -> list[str]:
    """The words after the seed text (after as many words as it has, if it was changed)."""
    if result.startswith(seed):
        return result[len(seed) :].split()
    return result.split()[len(seed.split()) :]


@pytest.mark.points(1)
def test_seed_text_is_kept_as_the_prefix(generate: Generator) -> None:
    """the text starts with the seed text, unchanged, then a space before the new words"""
    result = generate(SEEDS[0], 0)
    if result != SEEDS[0]:
        raise fail(
            _call(SEEDS[0], 0),
            expected=repr(SEEDS[0]),
            received=repr(result),
            hint="with n_words=0, return the seed text unchanged.",
        )
    for seed in SEEDS:
        result = generate(seed, 3)
        if not result.startswith(seed + " "):
            raise fail(
                f"the start of {_call(seed, 3)}",
                expected=repr(seed + " "),
                received=repr(result[: len(seed) + 1]) + f" (the whole text: {result!r})",
                hint="start from seed_text itself, not its lower-cased words, and add "
                "' ' + word for each new word.",
            )


@pytest.mark.points(2)
def test_generates_exactly_n_words(generate: Generator) -> None:
    """generate_text adds exactly n_words words, none for n_words=0"""
    seed = SEEDS[0]
    for count in COUNTS:
        result = generate(seed, count)
        words = new_words(result, seed)
        if len(words) != count:
            raise fail(
                f"the number of new words in {_call(seed, count)}",
                expected=count,
                received=f"{len(words)} ({result!r})",
                hint="loop n_words times (for _ in range(n_words)), adding one word each time.",
            )


@pytest.mark.points(1)
def test_new_words_come_from_the_vocabulary(generate: Generator) -> None:
    """every new word is a word of the vocabulary, never the padding id's"""
    for seed in SEEDS:
        for count in (3, LONG):
            result = generate(seed, count)
            outside = [w for w in new_words(result, seed) if w not in generate.vocabulary]
            if outside:
                raise fail(
                    f"the new words of {_call(seed, count)}",
                    expected="words of the vocabulary",
                    received=f"{outside} in {result!r}",
                    hint="map each predicted id back to its word with the inverse of the "
                    "vocabulary, and never pick id 0, the padding: it is no word.",
                )


@pytest.mark.points(2)
def test_each_new_word_is_the_likeliest(generate: Generator) -> None:
    """greedy decoding: each word is the model's likeliest next word, the same every call"""
    inverse = {index: word for word, index in generate.vocabulary.items()}
    for seed in SEEDS:
        result = generate(seed, LONG)
        context = generate.text.ids(seed, generate.vocabulary)
        for step, word in enumerate(new_words(result, seed), start=1):
            probabilities = generate.probabilities(context)
            best = max(inverse, key=lambda index: (probabilities[index], -index))
            chosen = generate.vocabulary.get(word)
            if chosen is None or probabilities[chosen] < probabilities[best] * (
                1 - RELATIVE_TOLERANCE
            ):
                received = (
                    f"{word!r}, not a word of the vocabulary"
                    if chosen is None
                    else f"{word!r} (probability {probabilities[chosen]:.4f})"
                )
                raise fail(
                    f"new word {step} of {_call(seed, LONG)}",
                    expected=f"{inverse[best]!r} (probability {probabilities[best]:.4f})",
                    received=f"{received}; the whole text: {result!r}",
                    hint="feed the ids of the seed's known words and of the words generated "
                    "so far, keep the last model.input_shape[1] of them, pad with zeros on the "
                    "left, and take the argmax over ids 1 and up.",
                )
            context.append(chosen)
    again = generate(SEEDS[0], LONG, attempt=1)
    if again != generate(SEEDS[0], LONG):
        raise fail(
            f"a second call of {_call(SEEDS[0], LONG)}",
            expected=repr(generate(SEEDS[0], LONG)),
            received=repr(again),
            hint="greedy decoding takes the likeliest word every time: no sampling.",
        )
