"""Shared by the week 12 graders: the grader's own numpy Transformer, and the layer probe.

The graders never import the submission, and the submission's layers are custom classes
that cannot be rebuilt in this process. So the layers are built and called in the worker
(probe ``attention.layer``), which returns their outputs and their sub-layers' weights, and
this module recomputes what the outputs must be with numpy, in float64, from the formulas:
the positional encoding, softmax attention, layer normalisation, Keras's
``MultiHeadAttention`` and the whole encoder block, post-norm or pre-norm.

The inputs of parts 1 to 5 (sizes, token ids, masks, tensors, layer settings) are drawn
afresh at each grading from ``course.testing.fresh_rng(submission, purpose)``, each check
from its own stream; each grader's docstring gives its ranges. Only part 6's sentences are
fixed (its accuracy threshold was measured on them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Literal values of the positional encoding for depth 4, rows 0 and 1, from the formula.
GOLDEN_ENCODING = (
    (0.0, 1.0, 0.0, 1.0),
    (0.8414709848078965, 0.5403023058681398, 0.009999833334166664, 0.9999500004166653),
)
#: What Keras puts in the scores of masked keys (any value below about -100 gives 0 weight).
MASKED_SCORE = -1e9


def angles(length: int, depth: int, *, exponent_index: np.ndarray | None = None) -> np.ndarray:
    """``pos / 10000 ** (2i / depth)`` for every position and column; column ``j``
    belongs to pair ``i = j // 2`` unless ``exponent_index`` says otherwise."""
    positions = np.arange(length, dtype="float64")[:, np.newaxis]
    index = np.arange(depth) // 2 if exponent_index is None else exponent_index
    return positions / np.power(10_000.0, 2 * index[np.newaxis, :] / depth)


def positional_encoding(length: int, depth: int) -> np.ndarray:
    """The paper's layout: sin in the even columns, cos in the odd ones."""
    table = angles(length, depth)
    encoding: np.ndarray = np.sin(table)
    encoding[:, 1::2] = np.cos(table[:, 1::2])
    return encoding


def positional_encoding_variants(length: int, depth: int) -> dict[str, np.ndarray]:
    """Plausible wrong layouts, each named by its mistake."""
    half = angles(length, depth)[:, 0::2]
    right = positional_encoding(length, depth)
    swapped = right.copy()
    swapped[:, 0::2], swapped[:, 1::2] = right[:, 1::2], right[:, 0::2]
    own_frequency = angles(length, depth, exponent_index=np.arange(depth))
    own = np.sin(own_frequency)
    own[:, 1::2] = np.cos(own_frequency[:, 1::2])
    return {
        "sin and cos swapped (cos in the even columns, sin in the odd ones)": swapped,
        "the TensorFlow tutorial's concatenated layout (all sines, then all cosines)": (
            np.concatenate([np.sin(half), np.cos(half)], axis=1)
        ),
        "all cosines, then all sines": np.concatenate([np.cos(half), np.sin(half)], axis=1),
        "an exponent of 2j / depth with j the column (each column its own frequency)": own,
    }


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = scores - scores.max(axis=axis, keepdims=True)
    exponentials = np.exp(shifted)
    probabilities: np.ndarray = exponentials / exponentials.sum(axis=axis, keepdims=True)
    return probabilities


def attention_scores(
    q: np.ndarray, k: np.ndarray, mask: np.ndarray | None = None, *, scale: float | None = None
) -> np.ndarray:
    """``q k^T / sqrt(depth)`` (or divided by ``scale``), ``MASKED_SCORE`` where masked."""
    scores: np.ndarray = np.matmul(q.astype("float64"), np.swapaxes(k.astype("float64"), -1, -2))
    scores = scores / (np.sqrt(k.shape[-1]) if scale is None else scale)
    if mask is not None:
        scores = np.where(np.broadcast_to(mask, scores.shape), scores, MASKED_SCORE)
    return scores


def attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(softmax(q k^T / sqrt(depth)) v, the weights)``."""
    weights = softmax(attention_scores(q, k, mask))
    return np.matmul(weights, v.astype("float64")), weights


def layer_norm(x: np.ndarray, part: LayerNormPart) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = x.var(axis=-1, keepdims=True)
    standardized = (x - mean) / np.sqrt(variance + part.epsilon)
    normalized: np.ndarray = standardized * part.gamma + part.beta
    return normalized


def multi_head_attention(
    x: np.ndarray, part: AttentionPart, mask: np.ndarray | None = None
) -> np.ndarray:
    """Keras's ``MultiHeadAttention`` applied as ``attention(x, x, attention_mask)``."""
    query = np.einsum("btd,dhk->bthk", x, part.query_kernel) + part.query_bias
    key = np.einsum("btd,dhk->bthk", x, part.key_kernel) + part.key_bias
    value = np.einsum("btd,dhk->bthk", x, part.value_kernel) + part.value_bias
    scores = np.einsum("bthk,bshk->bhts", query, key) / np.sqrt(query.shape[-1])
    if mask is not None:
        scores = np.where(np.broadcast_to(mask[:, np.newaxis], scores.shape), scores, -1e9)
    weights = softmax(scores)
    context = np.einsum("bhts,bshk->bthk", weights, value)
    output: np.ndarray = np.einsum("bthk,hkd->btd", context, part.output_kernel) + part.output_bias
    return output


def block(
    x: np.ndarray,
    parts: BlockParts,
    *,
    pre_norm: bool,
    attention_residual: bool = True,
    feed_forward_residual: bool = True,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """The encoder block at inference, post-norm or pre-norm, residuals optional."""
    x = x.astype("float64")
    first, second = parts.norms

    def attend(inputs: np.ndarray) -> np.ndarray:
        return multi_head_attention(inputs, parts.attention, mask)

    def feed_forward(inputs: np.ndarray) -> np.ndarray:
        hidden = np.maximum(inputs @ parts.hidden_kernel + parts.hidden_bias, 0.0)
        output: np.ndarray = hidden @ parts.output_kernel + parts.output_bias
        return output

    if pre_norm:
        attended = attend(layer_norm(x, first))
        y = x + attended if attention_residual else attended
        transformed = feed_forward(layer_norm(y, second))
        return y + transformed if feed_forward_residual else transformed
    attended = attend(x)
    y = layer_norm(x + attended if attention_residual else attended, first)
    transformed = feed_forward(y)
    return layer_norm(y + transformed if feed_forward_residual else transformed, second)


# -- The weights of an encoder block, as the formulas take them -----------------------------


@dataclass(frozen=True)
class AttentionPart:
    query_kernel: np.ndarray
    query_bias: np.ndarray
    key_kernel: np.ndarray
    key_bias: np.ndarray
    value_kernel: np.ndarray
    value_bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray


@dataclass(frozen=True)
class LayerNormPart:
    gamma: np.ndarray
    beta: np.ndarray
    epsilon: float


@dataclass(frozen=True)
class BlockParts:
    """The weights of an encoder block, each found by its layer class and shape."""

    attention: AttentionPart
    hidden_kernel: np.ndarray
    hidden_bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray
    norms: tuple[LayerNormPart, LayerNormPart]

    def with_norms_swapped(self) -> BlockParts:
        return BlockParts(
            self.attention,
            self.hidden_kernel,
            self.hidden_bias,
            self.output_kernel,
            self.output_bias,
            (self.norms[1], self.norms[0]),
        )


def _check_reference() -> None:
    """The grader's own formulas agree with literal values worked out by hand."""
    if not np.allclose(positional_encoding(2, 4), GOLDEN_ENCODING, atol=1e-12):
        raise RuntimeError("the grader's positional encoding disagrees with its golden values")
    if not math.isclose(GOLDEN_ENCODING[1][2], math.sin(0.01), rel_tol=1e-12):
        raise RuntimeError("the golden values are not the formula's")
    q = np.array([[[1.0, 0.0]]])
    k = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    _, weights = attention(q, k, k)
    expected = math.exp(1 / math.sqrt(2)) / (math.exp(1 / math.sqrt(2)) + 1.0)
    if not math.isclose(weights[0, 0, 0], expected, rel_tol=1e-12):
        raise RuntimeError("the grader's attention disagrees with its golden value")


_check_reference()
