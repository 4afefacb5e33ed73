"""Week 12 grader, part 5: the ``TransformerBlock`` layer (exercise 12.6).

A custom layer cannot be rebuilt here, so the worker builds three blocks and calls each on
inputs chosen here, returning the outputs and every sub-layer with its settings and
weights. Drawn afresh at each grading (``fresh_rng(submission, "transformer block")``;
ranges inclusive; inputs standard normal, float32):

* the settings of the first two blocks, ``TransformerBlock(d, h, f, 0.0)``: ``h`` heads
  from 2 to 4 of ``k`` dimensions from 4 to 8, ``d = h * k`` (8 to 32), and ``f`` from 16
  to 64, never ``d`` (so that the two Dense layers of the feed-forward network have
  kernels of different shapes);
* the first block on ``x`` (b, t, d), b from 2 to 4 sentences of t from 4 to 9 tokens, with
  ``training=False``;
* a second such block on ``x`` with ``attention_mask``, a padding mask (b, 1, t) of this
  process (True = may attend; each sentence ends in 0 to t - 2 padding positions, at least
  one sentence in one or more), then with the same mask on ``x`` whose padding positions
  were replaced by other random vectors (a block whose ``call`` has no ``attention_mask``
  fails this check only);
* a third block, ``TransformerBlock(d2, h2, f2, rate)`` drawn the same way with a rate from
  0.3 to 0.6, on ``x2`` (2 to 4, 3 to 8, d2): twice with ``training=False``, then twice
  with ``training=True``.

The first block has no dropout (rate 0), so its output can be recomputed here exactly
from its weights: Keras's ``MultiHeadAttention`` in numpy (float64), the feed-forward
network (the Dense layer with a ``(d, f)`` kernel, relu, the one with ``(f, d)``) and both
``LayerNormalization`` layers with their own epsilon, combined post-norm (``y = LN1(x +
Attention(x))``, ``out = LN2(y + FFN(y))``) or pre-norm (``y = x + Attention(LN1(x))``,
``out = y + FFN(LN2(y))``); either is accepted, with the two norms in either order. The
block's output must match one of them to 1e-4 (outputs of size ~1; float32 against float64
differs by ~1e-6). When none matches, the grader tries the same sums without the attention
residual, without the feed-forward one and without both, and names the one that matches.

The attention layer: ``MultiHeadAttention(num_heads=h, key_dim=k)`` on ``d``-dimensional
inputs has query, key and value kernels ``(d, h, k)`` with biases ``(h, k)``, and an output
kernel ``(h, k, d)`` with a bias ``(d,)``: ``4 * h * k * d + 3 * h * k + d`` parameters
(value_dim defaults to key_dim). With ``k = d / h``, as asked, that is ``4 * d * (d + 1)``
(4,224 for d = 32); the Keras code example's ``key_dim=embed_dim`` gives ``4 * h * d * d +
3 * h * d + d`` (16,800 for d = 32 and 4 heads). Self-reported: the attention layer's
settings and parameter count are the worker's description of it (1 point).

Exact answers, no thresholds: dropout is judged by equality to 1e-6 of the two inference
outputs and a difference above 1e-3 between the training outputs; the padding check by
equality to 1e-5 of the real words' outputs.

Equivalent mutants:
    TransformerBlock.__init__:default-argument:epsilon - LayerNormalization's default
        epsilon is allowed by the exercise ("default settings, or epsilon=1e-6"), and the
        block is recomputed here with each layer's own epsilon.
    TransformerBlock.__init__:default-argument:epsilon#2 - the same, for the second
        LayerNormalization.
    TransformerBlock.call:default-argument:training - a Keras 3 layer called inside another
        layer's call without training= takes the outer call's training flag, so
        self.dropout1(attended) drops out in fit and not in predict, exactly as the reference
        does (the dropout checks here show it: they pass).
    TransformerBlock.call:default-argument:training#2 - the same, for the second Dropout.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, draw_between, fail, format_shape, fresh_rng

from . import reference
from .layers import LayerCall, block_parts, call_layer

pytestmark = pytest.mark.visibility("visible")

FACTORY = "TransformerBlock"
HEADS = (2, 4)  # inclusive, as are the other ranges
KEY_DIM = (4, 8)
FF_DIM = (16, 64)
BATCH = (2, 4)
LENGTH = (4, 9)
DROPOUT_LENGTH = (3, 8)
DROPOUT_RATE = (0.3, 0.6)
TOLERANCE = 1e-4
SAME = 1e-5
DETERMINISTIC = 1e-6
CHANGED = 1e-3

Settings = tuple[int, int, int, float]  # (embed_dim, num_heads, ff_dim, rate)


def _call(args: tuple[object, ...]) -> str:
    return f"{FACTORY}({', '.join(map(repr, args))})"


@dataclass(frozen=True)
class Draw:
    """The blocks' settings and the grader's inputs for them."""

    exact: Settings
    dropout: Settings
    x: np.ndarray
    mask: np.ndarray
    replaced: np.ndarray
    dropout_x: np.ndarray


@pytest.fixture(scope="module")
def draw(submission: Submission) -> Draw:
    rng = fresh_rng(submission, "transformer block")
    size = partial(draw_between, rng)

    def settings(rate: float) -> Settings:
        heads = size(HEADS)
        width = heads * size(KEY_DIM)
        ff_dim = int(rng.choice([f for f in range(FF_DIM[0], FF_DIM[1] + 1) if f != width]))
        return width, heads, ff_dim, rate

    exact = settings(0.0)
    batch, length, width = size(BATCH), size(LENGTH), exact[0]
    x = rng.normal(size=(batch, length, width)).astype("float32")
    padding = rng.integers(0, length - 1, size=batch)
    padding[rng.integers(batch)] = size((1, length - 2))
    mask = np.ones((batch, 1, length), dtype=bool)
    replaced = x.copy()
    for row, count in enumerate(padding):
        if count:
            mask[row, 0, -count:] = False
            replaced[row, -count:] = rng.normal(size=(count, width)).astype("float32")
    dropout = settings(round(float(rng.uniform(*DROPOUT_RATE)), 2))
    dropout_x = rng.normal(size=(size(BATCH), size(DROPOUT_LENGTH), dropout[0]))
    return Draw(exact, dropout, x, mask, replaced, dropout_x.astype("float32"))


@pytest.fixture(scope="module")
def exact_block(submission: Submission, draw: Draw) -> LayerCall:
    """Output: x, without a mask."""
    calls = [{"inputs": draw.x, "training": False}]
    return call_layer(submission, FACTORY, list(draw.exact), calls)


@pytest.fixture(scope="module")
def dropout_block(submission: Submission, draw: Draw) -> LayerCall:
    """Outputs: training=False twice, then training=True twice."""
    calls = [{"inputs": draw.dropout_x, "training": flag} for flag in (False, False, True, True)]
    return call_layer(submission, FACTORY, list(draw.dropout), calls)


@pytest.mark.points(1)
def test_block_output_shape_is_input_shape(
    exact_block: LayerCall, dropout_block: LayerCall, draw: Draw
) -> None:
    """the block's output has the shape of its input"""
    blocks = ((exact_block, draw.exact, draw.x), (dropout_block, draw.dropout, draw.dropout_x))
    for report, args, x in blocks:
        for output in report.outputs:
            check_array(
                output,
                f"the output of {_call(args)} for inputs of shape {format_shape(x.shape)}",
                shape=x.shape,
                hint="the last Dense layer of the feed-forward network has embed_dim units, "
                "so that the residual additions and the next block fit.",
            )


@pytest.mark.points(1)
def test_attention_layer(exact_block: LayerCall, draw: Draw) -> None:
    """one MultiHeadAttention, key_dim = embed_dim // num_heads: 4 * d * (d + 1) parameters

    Self-reported: the attention layer's settings and weights, as the worker lists them."""
    width, heads = draw.exact[0], draw.exact[1]
    call = _call(draw.exact)
    attentions = exact_block.of_class("MultiHeadAttention")
    hint = (
        "keras.layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim // num_heads): "
        "the heads share the embedding's dimensions. h heads of key_dim k on d-dimensional "
        "inputs have 4*h*k*d + 3*h*k + d parameters; with k = d / h that is 4*d*(d + 1)."
    )
    if len(attentions) != 1:
        raise fail(
            f"the MultiHeadAttention layers in {call}",
            expected="exactly one",
            received=len(attentions),
            hint=hint,
        )
    config = attentions[0].config
    parameters = sum(int(weight.size) for weight in attentions[0].weights.values())
    received = (config.get("num_heads"), config.get("key_dim"), parameters)
    expected = (heads, width // heads, 4 * width * (width + 1))
    if received != expected:
        raise fail(
            f"the attention layer of {call}",
            expected="num_heads={}, key_dim={} and {:,} parameters".format(*expected)
            + f" (4 * {width} * ({width} + 1))",
            received="num_heads={}, key_dim={} and {:,} parameters".format(*received),
            hint=hint,
        )


@pytest.mark.points(3)
def test_block_computes_attention_and_feed_forward_with_residuals(
    exact_block: LayerCall, draw: Draw
) -> None:
    """attention, then a feed-forward network, each with a residual connection and a LayerNorm"""
    call = _call(draw.exact)
    parts = block_parts(exact_block, embed_dim=draw.exact[0], ff_dim=draw.exact[2], what=call)
    x = draw.x
    output = check_array(exact_block.outputs[0], f"the output of {call}", shape=x.shape)
    swapped = replace(parts, norms=parts.norms[::-1])

    def form(residuals: tuple[bool, bool] = (True, True)) -> str | None:
        """The form ("post-norm" or "pre-norm") of these sums the output matches, if any."""
        for pre_norm, candidate in itertools.product((False, True), (parts, swapped)):
            expected = reference.block(x, candidate, pre_norm=pre_norm, residuals=residuals)
            if np.allclose(output, expected, atol=TOLERANCE, rtol=TOLERANCE):
                return "pre-norm" if pre_norm else "post-norm"
        return None

    if form():
        return
    mistakes = {  # the (attention, feed-forward) residual connections of each
        "without the residual connection around the attention": (False, True),
        "without the residual connection around the feed-forward network": (True, False),
        "without any residual connection": (False, False),
    }
    found = next(
        (f"{name} ({matched})" for name, flags in mistakes.items() if (matched := form(flags))),
        None,
    )
    post = reference.block(x, parts, pre_norm=False)
    largest = float(np.abs(output - post).max())
    raise fail(
        f"the output of {call} with training=False, recomputed from its weights",
        expected="LayerNorm1(x + Attention(x, x)) = y, then LayerNorm2(y + FeedForward(y)) "
        "(post-norm), or the pre-norm form x + Attention(LayerNorm1(x)) = y, then "
        "y + FeedForward(LayerNorm2(y))",
        received=f"the block's output {found}"
        if found
        else f"another output (largest difference from post-norm: {largest:.3g})",
        hint="add each sub-layer's input to its output (the residual connection) before or "
        "after its LayerNormalization: hidden = norm1(inputs + dropout1(attention(inputs, "
        "inputs))); return norm2(hidden + dropout2(feed_forward(hidden))).",
    )


@pytest.mark.points(1)
def test_dropout_only_in_training(dropout_block: LayerCall, draw: Draw) -> None:
    """dropout changes the output in training (training=True) and never at inference"""
    call = _call(draw.dropout)
    first, second, trained, retrained = (o.astype("float64") for o in dropout_block.outputs)
    if first.shape != second.shape or trained.shape != retrained.shape:
        raise fail(f"the outputs of {call}", expected="the same shapes", received="others")
    drift = float(np.abs(first - second).max())
    if drift > DETERMINISTIC:
        raise fail(
            f"two calls of {call} with training=False on the same input",
            expected="the same output (no dropout at inference)",
            received=f"outputs that differ by up to {drift:.3g}",
            hint="use keras.layers.Dropout and pass it the training argument (or nothing): "
            "never training=True, and no tf.nn.dropout.",
        )
    change = min(float(np.abs(trained - first).max()), float(np.abs(trained - retrained).max()))
    if change <= CHANGED:
        raise fail(
            f"two calls of {call} with training=True on the same input",
            expected="outputs that differ from each other and from the inference output "
            f"(dropout with rate {draw.dropout[3]} is active)",
            received=f"outputs that differ by at most {change:.3g}",
            hint="apply keras.layers.Dropout(rate) to the output of the attention and of the "
            "feed-forward network, and pass training=training to it.",
        )


@pytest.mark.points(2)
def test_attention_mask_hides_padding(submission: Submission, draw: Draw) -> None:
    """with attention_mask, changing the padding does not change the real words' outputs"""
    call = _call(draw.exact)
    # A second block (so that one without attention_mask fails this check only), called on
    # x with the mask, then on x with its padding replaced, with the same mask.
    kwargs = {"attention_mask": draw.mask}
    calls = [{"inputs": x, "training": False, "kwargs": kwargs} for x in (draw.x, draw.replaced)]
    outputs = call_layer(submission, FACTORY, list(draw.exact), calls).outputs
    masked, replaced = (output.astype("float64") for output in outputs)
    if masked.shape != draw.x.shape or replaced.shape != masked.shape:
        raise fail(f"the outputs of {call}", expected="the input's shape", received=masked.shape)
    real = np.broadcast_to(draw.mask[:, 0, :, np.newaxis], masked.shape)
    change = float(np.abs(masked - replaced)[real].max())
    if change > SAME:
        raise fail(
            f"the outputs of {call}(x, attention_mask=mask) at the real words when only the "
            "padding positions of x change",
            expected="the same outputs (the masked positions are never attended to)",
            received=f"outputs that change by up to {change:.3g}",
            hint="accept call(self, inputs, training=None, attention_mask=None) and pass it on: "
            "self.attention(inputs, inputs, attention_mask=attention_mask).",
        )
