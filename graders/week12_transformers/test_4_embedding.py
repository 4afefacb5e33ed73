"""Week 12 grader, part 4: the ``TokenAndPositionEmbedding`` layer (exercise 12.5).

A custom layer cannot be rebuilt here, so the worker builds
``TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)`` and calls it on token ids
chosen here. Drawn afresh at each grading (``fresh_rng(submission, "embedding")``; ranges
inclusive): ``maxlen`` from 6 to 16, ``vocab_size`` from 20 to 100, ``embed_dim`` from 4 to
16 and even (so that a constant sinusoidal encoding fits it), two different token ids
``a`` and ``b`` from 1 to ``vocab_size - 1``, and a batch of 4 full-length rows: ``a``
everywhere; ``b`` everywhere; ``a`` and ``b`` alternating; random ids from 1 to
``vocab_size - 1``. A second such layer gets a shorter batch, 1 to 3 rows of 2 to ``maxlen
- 1`` random ids, so that a layer taking only ``maxlen`` ids fails the shape check only.
The worker returns the outputs and the parameter counts. The checks are about structure,
and they hold for learned position vectors and for a constant sinusoidal encoding alike:

* positions are added: in the row of ``a`` everywhere, the ``maxlen`` vectors all differ;
* and added, not mixed in another way: ``out(a at t) - out(b at t)`` is the same for every
  position ``t`` (the difference of the two word vectors), and the alternating row equals
  the all-``a`` row where it holds ``a`` and the all-``b`` row where it holds ``b`` (each
  output depends on its own token and position only). Tolerance 1e-5, float32 sums of
  values ~0.05-1;
* parameters: ``Embedding(vocab_size, embed_dim)`` plus ``maxlen * embed_dim`` learned
  position vectors, or no trainable position parameters when the encoding is a constant.
  Self-reported: the count is the worker's (1 point).

Exact answers, no thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, draw_between, fail, format_shape, fresh_rng

from .layers import LayerCall, call_layer

pytestmark = pytest.mark.visibility("visible")

FACTORY = "TokenAndPositionEmbedding"
MAXLEN = (6, 16)  # inclusive, as are the other ranges
VOCABULARY = (20, 100)
EMBED_DIM = (4, 16)  # drawn even
SHORT_ROWS = (1, 3)
TOLERANCE = 1e-5
DIFFERENT = 1e-6
HINT = (
    "In call(): positions = tf.range(tf.shape(inputs)[-1]); return "
    "self.token_embedding(inputs) + self.position_embedding(positions)."
)


@dataclass(frozen=True)
class Draw:
    """The layer's arguments and the grader's token ids for it."""

    maxlen: int
    vocabulary: int
    embed_dim: int
    first: int
    second: int
    full_ids: np.ndarray  # (4, maxlen): a everywhere, b everywhere, alternating, random
    short_ids: np.ndarray  # (rows, length < maxlen)

    @property
    def args(self) -> list[int]:
        return [self.maxlen, self.vocabulary, self.embed_dim]

    @property
    def call(self) -> str:
        return f"{FACTORY}({self.maxlen}, {self.vocabulary}, {self.embed_dim})"


@pytest.fixture(scope="module")
def draw(submission: Submission) -> Draw:
    rng = fresh_rng(submission, "embedding")
    size = partial(draw_between, rng)
    maxlen, vocabulary = size(MAXLEN), size(VOCABULARY)
    embed_dim = 2 * size((EMBED_DIM[0] // 2, EMBED_DIM[1] // 2))
    first, second = (int(t) for t in rng.choice(np.arange(1, vocabulary), 2, replace=False))
    alternating = np.where(np.arange(maxlen) % 2 == 0, first, second)
    random_ids = rng.integers(1, vocabulary, size=maxlen)
    rows = [np.full(maxlen, first), np.full(maxlen, second), alternating, random_ids]
    short = rng.integers(1, vocabulary, size=(size(SHORT_ROWS), size((2, maxlen - 1))))
    full_ids, short_ids = np.stack(rows).astype("int32"), short.astype("int32")
    return Draw(maxlen, vocabulary, embed_dim, first, second, full_ids, short_ids)


@pytest.fixture(scope="module")
def embedded(submission: Submission, draw: Draw) -> LayerCall:
    """The layer called on the 4 full-length rows."""
    return call_layer(submission, FACTORY, draw.args, [{"inputs": draw.full_ids}])


@pytest.mark.points(1)
def test_embedding_output_shape(submission: Submission, embedded: LayerCall, draw: Draw) -> None:
    """the layer gives one embed_dim vector per token, for inputs of maxlen ids or fewer"""
    # A second layer on the short rows: a layer that only takes maxlen ids fails here only.
    short = call_layer(submission, FACTORY, draw.args, [{"inputs": draw.short_ids}])
    outputs = (embedded.outputs[0], short.outputs[0])
    for ids, output in zip((draw.full_ids, draw.short_ids), outputs, strict=True):
        check_array(
            output,
            f"the output of {draw.call} for token ids of shape {format_shape(ids.shape)}",
            shape=(*ids.shape, draw.embed_dim),
            hint="add the word and position vectors (do not concatenate them), and take the "
            "positions from the input's length: " + HINT,
        )


@pytest.mark.points(2)
def test_positions_are_added(embedded: LayerCall, draw: Draw) -> None:
    """the same word at different positions gets different vectors: positions are added"""
    output = _full_output(embedded, draw)
    same_word = output[0]
    distances = np.abs(same_word[:, np.newaxis] - same_word[np.newaxis]).max(axis=-1)
    np.fill_diagonal(distances, np.inf)
    if distances.min() <= DIFFERENT:
        first, second = np.unravel_index(int(np.argmin(distances)), distances.shape)
        raise fail(
            f"the vectors of token {draw.first} at positions {first} and {second} in {draw.call}",
            expected="different vectors (the position vector is added to the word vector)",
            received=f"the same vector (largest difference {distances.min():.2g})",
            hint=HINT,
        )


@pytest.mark.points(1)
def test_word_and_position_vectors_are_summed(embedded: LayerCall, draw: Draw) -> None:
    """each output is its word's vector plus its position's vector"""
    output = _full_output(embedded, draw)
    first, second, call = draw.first, draw.second, draw.call
    if np.abs(output[0] - output[1]).max() <= DIFFERENT:
        raise fail(
            f"the outputs of {call} for token {first} and token {second}",
            expected="different vectors (each token has its own word vector)",
            received="the same vectors",
            hint=HINT,
        )
    difference = output[0] - output[1]
    spread = float(np.abs(difference - difference[0]).max())
    if spread > TOLERANCE:
        raise fail(
            f"out(token {first} at t) - out(token {second} at t) over the positions t of {call}",
            expected="the same vector at every position (word vector + position vector)",
            received=f"vectors that change with the position (by up to {spread:.3g})",
            hint="add the two vectors; do not multiply or mix them. " + HINT,
        )
    even = (np.arange(draw.maxlen) % 2 == 0)[:, np.newaxis]
    mixed = float(np.abs(output[2] - np.where(even, output[0], output[1])).max())
    if mixed > TOLERANCE:
        raise fail(
            f"the output of {call} for tokens {first}, {second}, {first}, ... alternating",
            expected=f"the vector of token {first} at even positions and of token {second} at "
            "odd ones, as in the rows of one token",
            received=f"other vectors (differences up to {mixed:.3g})",
            hint="each output may depend only on its own token and position. " + HINT,
        )


@pytest.mark.points(1)
def test_embedding_parameter_count(embedded: LayerCall, draw: Draw) -> None:
    """word parameters vocab_size x embed_dim, plus maxlen x embed_dim learned positions

    Self-reported: the count of trainable parameters is the worker's."""
    vocabulary, maxlen, width = draw.vocabulary, draw.maxlen, draw.embed_dim
    words, positions = vocabulary * width, maxlen * width
    trainable = embedded.trainable_parameters
    if trainable not in (words, words + positions):
        raise fail(
            f"the trainable parameters of {draw.call}",
            expected=f"{words + positions:,} = {words} (Embedding({vocabulary}, {width})) "
            f"+ {positions} (Embedding({maxlen}, {width}) for the positions), or {words} "
            "with a constant sinusoidal encoding",
            received=f"{trainable:,}",
            hint="keras.layers.Embedding(vocab_size, embed_dim) for the words and "
            "keras.layers.Embedding(maxlen, embed_dim) for the positions, created in __init__.",
        )


def _full_output(embedded: LayerCall, draw: Draw) -> np.ndarray:
    """The output for the 4 full-length rows, float64, or a failed check about its shape."""
    shape = (4, draw.maxlen, draw.embed_dim)
    output = check_array(embedded.outputs[0], f"the output of {draw.call}", shape=shape)
    return output.astype("float64")
