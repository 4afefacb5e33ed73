"""Week 7 grader, part 7: ``generate_text`` (exercise 7.10).

The model is the grader's, so these checks do not depend on exercise 7.9: a next-word
model built here (input L ids, Embedding(V, 8), LSTM(16), Dropout(0.5), Dense(V, softmax))
and the vocabulary of a block of sonnet lines made with the grader's copy of exercise 7.5.
The worker rebuilds that model from its config and weights and passes it to the
submission's ``generate_text``.

Drawn at each grading (``fresh_rng``): the block, 20 to 40 consecutive sonnet lines (about
100 to 200 words, V one more); L, from 4 to 8; the weights, normal with standard deviation
0.7; the longest number of new words asked for, from 6 to 10 (the counts asked for are 0,
1, 3 and that one); and three seed texts: the first 1 to L - 1 words of a line of the block
(shorter than the model's input), two consecutive lines of the block (longer: only their
last L ids fit), and a line from outside the block with at least 2 words missing from the
vocabulary and 2 in it (the missing ones are skipped). The output bias of id 0 (padding)
is raised by 2, or more (up to 8) until, in the greedy runs of the three seeds, the padding
id is the likeliest output at least twice, so that a decoder that does not leave it out
picks it. The weights are drawn again until the contexts matter: padding on the right must
change the words of at least one seed, and keeping the first L ids instead of the last must
too (if no bias up to 8 makes padding win twice, the weights are drawn again as well).

Exact answers: the greedy check replays the submission's text here, word by word, on the
same model and weights, and accepts each word whose probability is the highest within a
relative 1e-4 (float round-off between two processes).

The Dropout changes nothing at inference, which is how the grader replays the text; a
``generate_text`` that calls ``model(window, training=True)`` drops half the LSTM's outputs
at random, so its words stop being the likeliest and change from call to call.

Equivalent mutants:
    generate_text:default-argument:padding - pad_sequences pads at the front by
        default: padding="pre" left out is the same call.
    generate_text:default-argument:training - model(window) without training= runs in
        inference mode, as model(window, training=False) does.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course.datasets import shakespeare_sonnets
from course.grading.submission import Submission, model_spec
from course.testing import fail, fresh_rng

from . import text

pytestmark = pytest.mark.visibility("visible")


FUNCTION = "generate_text"
PADDING_BIAS = 2.0
TOLERANCE = 1e-4  # relative
#: How often the padding id must be the likeliest output in the greedy runs.
PADDING_WINS = 2


class Generator:
    """The grader's model and vocabulary, and the submission's texts, each made once."""

    def __init__(self, submission: Submission) -> None:
        self.submission = submission
        rng = fresh_rng(submission, FUNCTION)
        sonnets = shakespeare_sonnets()
        size = int(rng.integers(20, 41))
        start = int(rng.integers(len(sonnets) - size))
        block = sonnets[start : start + size]
        self.vocabulary: dict[str, int] = text.vocabulary(block)
        self.sequence_length = int(rng.integers(4, 9))
        self.long = int(rng.integers(6, 11))
        self.seeds = self._seed_texts(rng, sonnets, block)
        self.model = keras.Sequential(
            [
                keras.Input(shape=(self.sequence_length,)),
                keras.layers.Embedding(len(self.vocabulary) + 1, 8),
                keras.layers.LSTM(16),
                keras.layers.Dropout(0.5),
                keras.layers.Dense(len(self.vocabulary) + 1, activation="softmax"),
            ]
        )
        self.spec = model_spec(self.model.to_json(), self._weights(rng))
        self._texts: dict[tuple[str, int, int], str] = {}

    def _seed_texts(
        self, rng: np.random.Generator, sonnets: list[str], block: list[str]
    ) -> tuple[str, str, str]:
        while True:
            line = block[int(rng.integers(len(block)))].split()
            short = " ".join(line[: int(rng.integers(1, min(len(line), self.sequence_length)))])
            if 1 <= len(text.ids(short, self.vocabulary)) < self.sequence_length:
                break
        while True:
            first = int(rng.integers(len(block) - 1))
            long = " ".join(block[first : first + 2])
            if len(text.ids(long, self.vocabulary)) > self.sequence_length:
                break
        while True:
            outside = sonnets[int(rng.integers(len(sonnets)))]
            words = text.split_words(outside)
            known = sum(word in self.vocabulary for word in words)
            if known >= 2 and len(words) - known >= 2:
                return short, long, outside

    def _weights(self, rng: np.random.Generator) -> list[np.ndarray]:
        """Weights under which every mistake the checks name changes the text."""
        while True:
            weights = [rng.normal(0.0, 0.7, w.shape).astype("float32") for w in self.model.weights]
            for raise_by in np.arange(PADDING_BIAS, 8.5, 0.5):
                trial = [w.copy() for w in weights]
                trial[-1][0] += raise_by
                self.model.set_weights(trial)
                right, padding = self._greedy()
                if padding >= PADDING_WINS:
                    break
            else:
                continue
            mistakes = ({"padding": "post"}, {"keep": "first"})
            if all(self._greedy(**mistake)[0] != right for mistake in mistakes):
                return trial

    def window(self, context: list[int], padding: str = "pre", keep: str = "last") -> np.ndarray:
        """The model's input for ``context``: by the contract, its last L ids with zeros on
        the left; a mistake pads on the right or keeps the first L ids."""
        length = self.sequence_length
        kept = context[-length:] if keep == "last" else context[:length]
        zeros = [0] * (length - len(kept))
        return np.array([zeros + kept if padding == "pre" else kept + zeros])

    def _greedy(self, **mistake: str) -> tuple[list[list[int]], int]:
        """The ids a greedy decoder whose input :meth:`window` makes (with ``mistake``)
        picks after each seed text (``long`` of them), and how often the padding id was
        the likeliest output."""
        contexts = [text.ids(seed, self.vocabulary) for seed in self.seeds]
        padding = 0
        for _ in range(self.long):
            batch = np.concatenate([self.window(ids, **mistake) for ids in contexts])
            probabilities = np.asarray(self.model(batch, training=False))
            padding += int(np.sum(np.argmax(probabilities, axis=1) == 0))
            for ids, best in zip(
                contexts, np.argmax(probabilities[:, 1:], axis=1) + 1, strict=True
            ):
                ids.append(int(best))
        return [ids[-self.long :] for ids in contexts], padding

    def __call__(self, seed: str, n_words: int, *, attempt: int = 0) -> str:
        """``generate_text(model, vocabulary, seed, n_words)`` in the worker, as a str."""
        key = (seed, n_words, attempt)
        if key not in self._texts:
            value = self.submission.call(FUNCTION, self.spec, self.vocabulary, seed, n_words)
            if not isinstance(value, str):
                raise fail(
                    _call(seed, n_words),
                    expected="a str",
                    received=type(value).__name__,
                    hint="return the seed text followed by the new words, as one string.",
                )
            self._texts[key] = value
        return self._texts[key]


@pytest.fixture(scope="module")
def generate(submission: Submission) -> Generator:
    return Generator(submission)


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
    seeds = generate.seeds
    result = generate(seeds[0], 0)
    if result != seeds[0]:
        raise fail(
            _call(seeds[0], 0),
            expected=repr(seeds[0]),
            received=repr(result),
            hint="with n_words=0, return the seed text unchanged.",
        )
    for seed in seeds:
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
    seed = generate.seeds[0]
    for count in (0, 1, 3, generate.long):
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
    for seed in generate.seeds:
        for count in (3, generate.long):
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
    long = generate.long
    for seed in generate.seeds:
        result = generate(seed, long)
        context = text.ids(seed, generate.vocabulary)
        for step, word in enumerate(new_words(result, seed), start=1):
            batch = generate.model(generate.window(context), training=False)
            probabilities = np.asarray(batch, dtype="float64")[0]
            best = max(inverse, key=lambda index: (probabilities[index], -index))
            chosen = generate.vocabulary.get(word)
            if chosen is None or probabilities[chosen] < probabilities[best] * (1 - TOLERANCE):
                received = (
                    "not a word of the vocabulary"
                    if chosen is None
                    else f"probability {probabilities[chosen]:.4f}"
                )
                raise fail(
                    f"new word {step} of {_call(seed, long)}",
                    expected=f"{inverse[best]!r} (probability {probabilities[best]:.4f})",
                    received=f"{word!r} ({received}); the whole text: {result!r}",
                    hint="feed the ids of the seed's known words and of the words generated "
                    "so far, keep the last model.input_shape[1] of them, pad with zeros on the "
                    "left, predict in inference mode (model.predict(x), or model(x) without "
                    "training=True), and take the argmax over ids 1 and up.",
                )
            context.append(chosen)
    seed = generate.seeds[0]
    again = generate(seed, long, attempt=1)
    if again != generate(seed, long):
        raise fail(
            f"a second call of {_call(seed, long)}",
            expected=repr(generate(seed, long)),
            received=repr(again),
            hint="greedy decoding takes the likeliest word every time: no sampling, and "
            "the model called in inference mode (training=True turns its dropout on).",
        )
