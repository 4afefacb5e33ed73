"""Week 12 grader, part 4: the ``TokenAndPositionEmbedding`` layer (exercise 12.5).

A custom layer cannot be rebuilt here, so the worker builds
``TokenAndPositionEmbedding(12, 50, 8)`` (maxlen, vocab_size, embed_dim) and calls it on
token ids chosen here: a batch of 4 full-length rows (token 3 everywhere; token 7
everywhere; 3 and 7 alternating; random ids from 1 to 49). A second such layer gets a
shorter batch, 2 rows of 5 ids, so that a layer taking only ``maxlen`` ids fails the shape
check only. The worker returns the outputs and the parameter counts. No weights are known
here, so the checks are about structure, and they hold for learned position vectors and
for a constant sinusoidal encoding alike:

* positions are added: in the row of token 3 everywhere, the 12 vectors all differ;
* and added, not mixed in another way: ``out(3 at t) - out(7 at t)`` is the same for every
  position ``t`` (the difference of the two word vectors), and the alternating row equals
  the all-3 row where it holds 3 and the all-7 row where it holds 7 (each output depends on
  its own token and position only). Tolerance 1e-5, float32 sums of values ~0.05-1;
* parameters: ``Embedding(50, 8)``, 400, plus ``12 * 8 = 96`` learned position vectors,
  or no trainable position parameters when the encoding is a constant.

Exact answers, no thresholds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import fail, format_shape

FACTORY = "TokenAndPositionEmbedding"
MAXLEN, VOCABULARY, EMBED_DIM = 12, 50, 8
CALL = f"{FACTORY}({MAXLEN}, {VOCABULARY}, {EMBED_DIM})"
FIRST, SECOND = 3, 7
TOLERANCE = 1e-5
DIFFERENT = 1e-6
HINT = (
    "In call(): positions = tf.range(tf.shape(inputs)[-1]); return "
    "self.token_embedding(inputs) + self.position_embedding(positions)."
)


def full_ids() -> np.ndarray:
    alternating = np.where(np.arange(MAXLEN) % 2 == 0, FIRST, SECOND)
    random_ids = np.random.default_rng(5).integers(1, VOCABULARY, size=MAXLEN)
    rows = [np.full(MAXLEN, FIRST), np.full(MAXLEN, SECOND), alternating, random_ids]
    return np.stack(rows).astype("int32")


def short_ids() -> np.ndarray:
    return np.random.default_rng(6).integers(1, VOCABULARY, size=(2, 5)).astype("int32")


@pytest.fixture(scope="module")
def embedded(submission: Submission, layer_probe: Any) -> Any:
    """The layer called on the 4 full-length rows."""
    calls = [{"inputs": full_ids()}]
    return layer_probe(submission, FACTORY, [MAXLEN, VOCABULARY, EMBED_DIM], calls)


@pytest.fixture(scope="module")
def embedded_short(submission: Submission, layer_probe: Any) -> Any:
    """A second layer called on the 2 short rows (a layer that only takes maxlen ids fails
    the shape check only)."""
    calls = [{"inputs": short_ids()}]
    return layer_probe(submission, FACTORY, [MAXLEN, VOCABULARY, EMBED_DIM], calls)


@pytest.mark.points(1)
def test_embedding_output_shape(embedded: Any, embedded_short: Any) -> None:
    """the layer gives one embed_dim vector per token, for inputs of maxlen ids or fewer"""
    outputs = (embedded.outputs[0], embedded_short.outputs[0])
    for ids, output in zip((full_ids(), short_ids()), outputs, strict=True):
        expected = (*ids.shape, EMBED_DIM)
        if output.shape != expected:
            raise fail(
                f"the output shape of {CALL} for token ids of shape {format_shape(ids.shape)}",
                expected=format_shape(expected),
                received=format_shape(output.shape),
                hint="add the word and position vectors (do not concatenate them), and take the "
                "positions from the input's length: " + HINT,
            )


@pytest.mark.points(2)
def test_positions_are_added(embedded: Any) -> None:
    """the same word at different positions gets different vectors: positions are added"""
    output = embedded.outputs[0].astype("float64")
    if output.shape != (4, MAXLEN, EMBED_DIM):
        raise fail(f"the output of {CALL}", expected="shape (4, 12, 8)", received=output.shape)
    same_word = output[0]
    distances = np.abs(same_word[:, np.newaxis] - same_word[np.newaxis]).max(axis=-1)
    np.fill_diagonal(distances, np.inf)
    if distances.min() <= DIFFERENT:
        first, second = np.unravel_index(int(np.argmin(distances)), distances.shape)
        raise fail(
            f"the vectors of token {FIRST} at positions {first} and {second} in {CALL}",
            expected="different vectors (the position vector is added to the word vector)",
            received=f"the same vector (largest difference {distances.min():.2g})",
            hint=HINT,
        )


@pytest.mark.points(1)
def test_word_and_position_vectors_are_summed(embedded: Any) -> None:
    """each output is its word's vector plus its position's vector"""
    output = embedded.outputs[0].astype("float64")
    if output.shape != (4, MAXLEN, EMBED_DIM):
        raise fail(f"the output of {CALL}", expected="shape (4, 12, 8)", received=output.shape)
    if np.abs(output[0] - output[1]).max() <= DIFFERENT:
        raise fail(
            f"the outputs of {CALL} for token {FIRST} and token {SECOND}",
            expected="different vectors (each token has its own word vector)",
            received="the same vectors",
            hint=HINT,
        )
    difference = output[0] - output[1]
    spread = float(np.abs(difference - difference[0]).max())
    if spread > TOLERANCE:
        raise fail(
            f"out(token {FIRST} at t) - out(token {SECOND} at t) over the positions t of {CALL}",
            expected="the same vector at every position (word vector + position vector)",
            received=f"vectors that change with the position (by up to {spread:.3g})",
            hint="add the two vectors; do not multiply or mix them. " + HINT,
        )
    alternating = np.where((np.arange(MAXLEN) % 2 == 0)[:, np.newaxis], output[0], output[1])
    mixed = float(np.abs(output[2] - alternating).max())
    if mixed > TOLERANCE:
        raise fail(
            f"the output of {CALL} for tokens {FIRST}, {SECOND}, {FIRST}, ... alternating",
            expected=f"the vector of token {FIRST} at even positions and of token {SECOND} at "
            "odd ones, as in the rows of one token",
            received=f"other vectors (differences up to {mixed:.3g})",
            hint="each output may depend only on its own token and position. " + HINT,
        )


@pytest.mark.points(1)
def test_embedding_parameter_count(embedded: Any) -> None:
    """word parameters vocab_size x embed_dim, plus maxlen x embed_dim learned positions"""
    words, positions = VOCABULARY * EMBED_DIM, MAXLEN * EMBED_DIM
    trainable = embedded.trainable_parameters
    if trainable not in (words, words + positions):
        raise fail(
            f"the trainable parameters of {CALL}",
            expected=f"{words + positions:,} = {words} (Embedding({VOCABULARY}, {EMBED_DIM})) "
            f"+ {positions} (Embedding({MAXLEN}, {EMBED_DIM}) for the positions), or {words} "
            "with a constant sinusoidal encoding",
            received=f"{trainable:,}",
            hint="keras.layers.Embedding(vocab_size, embed_dim) for the words and "
            "keras.layers.Embedding(maxlen, embed_dim) for the positions, created in __init__.",
        )
