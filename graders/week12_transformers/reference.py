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
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

#: Literal values of the positional encoding for depth 4, rows 0 and 1, from the formula.
GOLDEN_ENCODING = (
    (0.0, 1.0, 0.0, 1.0),
    (0.8414709848078965, 0.5403023058681398, 0.009999833334166664, 0.9999500004166653),
)


def angles(length: int, depth: int, *, exponent_index: np.ndarray | None = None) -> np.ndarray:
    """``pos / 10000 ** (2i / depth)`` for every position and column; column ``j``
    belongs to pair ``i = j // 2`` unless ``exponent_index`` says otherwise."""
    positions = np.arange(length, dtype="float64")[:, np.newaxis]
    index = np.arange(depth) // 2 if exponent_index is None else exponent_index
    return positions / np.power(10_000.0, 2 * index[np.newaxis, :] / depth)


def interleaved(table: np.ndarray, *, swapped: bool = False) -> np.ndarray:
    """sin of ``table`` in the even columns and cos in the odd ones (or the other way round)."""
    even, odd = (np.cos, np.sin) if swapped else (np.sin, np.cos)
    encoding: np.ndarray = even(table)
    encoding[:, 1::2] = odd(table[:, 1::2])
    return encoding


def positional_encoding(length: int, depth: int) -> np.ndarray:
    """The paper's layout: sin in the even columns, cos in the odd ones."""
    return interleaved(angles(length, depth))


def positional_encoding_variants(length: int, depth: int) -> dict[str, np.ndarray]:
    """Plausible wrong layouts, each named by its mistake (for even depths)."""
    table = angles(length, depth)
    half = table[:, 0::2]
    return {
        "sin and cos swapped (cos in the even columns, sin in the odd ones)": (
            interleaved(table, swapped=True)
        ),
        "the TensorFlow tutorial's concatenated layout (all sines, then all cosines)": (
            np.concatenate([np.sin(half), np.cos(half)], axis=1)
        ),
        "all cosines, then all sines": np.concatenate([np.cos(half), np.sin(half)], axis=1),
        "an exponent of 2j / depth with j the column (each column its own frequency)": (
            interleaved(angles(length, depth, exponent_index=np.arange(depth)))
        ),
    }


def which(
    received: np.ndarray, known: Mapping[str, np.ndarray], *, atol: float = 0.0
) -> str | None:
    """The name of the first of the ``known`` mistakes that ``received`` equals (to
    ``atol``), or ``None``: graders name a recognised mistake in their message."""
    return next(
        (name for name, wrong in known.items() if np.allclose(received, wrong, atol=atol, rtol=0)),
        None,
    )


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = scores - scores.max(axis=axis, keepdims=True)
    exponentials = np.exp(shifted)
    probabilities: np.ndarray = exponentials / exponentials.sum(axis=axis, keepdims=True)
    return probabilities


def attention_scores(q: np.ndarray, k: np.ndarray, *, scale: float | None = None) -> np.ndarray:
    """``q k^T / sqrt(depth)``, or divided by ``scale``."""
    scores: np.ndarray = np.matmul(q.astype("float64"), np.swapaxes(k.astype("float64"), -1, -2))
    return scores / (np.sqrt(k.shape[-1]) if scale is None else scale)


def layer_norm(x: np.ndarray, part: LayerNormPart) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    variance = x.var(axis=-1, keepdims=True)
    standardized = (x - mean) / np.sqrt(variance + part.epsilon)
    normalized: np.ndarray = standardized * part.gamma + part.beta
    return normalized


def multi_head_attention(x: np.ndarray, weights: AttentionWeights) -> np.ndarray:
    """Keras's ``MultiHeadAttention`` applied as ``attention(x, x)``."""

    def dense(inputs: np.ndarray, name: str, spec: str) -> np.ndarray:
        kernel, bias = weights[f"{name}/kernel"], weights[f"{name}/bias"]
        result: np.ndarray = np.einsum(spec, inputs, kernel) + bias
        return result

    query, key, value = (dense(x, name, "btd,dhk->bthk") for name in ("query", "key", "value"))
    scores = np.einsum("bthk,bshk->bhts", query, key) / np.sqrt(query.shape[-1])
    context = np.einsum("bhts,bshk->bthk", softmax(scores), value)
    return dense(context, "attention_output", "bthk,hkd->btd")


def block(
    x: np.ndarray, parts: BlockParts, *, pre_norm: bool, residuals: tuple[bool, bool] = (True, True)
) -> np.ndarray:
    """The encoder block at inference, post-norm or pre-norm, with or without each of its
    residual connections (around the attention, around the feed-forward network)."""
    attention_residual, feed_forward_residual = residuals
    x = x.astype("float64")
    first, second = parts.norms

    def feed_forward(inputs: np.ndarray) -> np.ndarray:
        hidden = np.maximum(inputs @ parts.hidden_kernel + parts.hidden_bias, 0.0)
        output: np.ndarray = hidden @ parts.output_kernel + parts.output_bias
        return output

    if pre_norm:
        attended = multi_head_attention(layer_norm(x, first), parts.attention)
        y = x + attended if attention_residual else attended
        transformed = feed_forward(layer_norm(y, second))
        return y + transformed if feed_forward_residual else transformed
    attended = multi_head_attention(x, parts.attention)
    y = layer_norm(x + attended if attention_residual else attended, first)
    transformed = feed_forward(y)
    return layer_norm(y + transformed if feed_forward_residual else transformed, second)


# -- The weights of an encoder block, as the formulas take them -----------------------------


#: A ``MultiHeadAttention``'s weights by their Keras names (``query/kernel``, ...).
AttentionWeights = Mapping[str, np.ndarray]
ATTENTION_WEIGHTS = tuple(
    f"{layer}/{kind}"
    for layer in ("query", "key", "value", "attention_output")
    for kind in ("kernel", "bias")
)


@dataclass(frozen=True)
class LayerNormPart:
    gamma: np.ndarray
    beta: np.ndarray
    epsilon: float


@dataclass(frozen=True)
class BlockParts:
    """The weights of an encoder block, each found by its layer class and shape."""

    attention: AttentionWeights
    hidden_kernel: np.ndarray
    hidden_bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray
    norms: tuple[LayerNormPart, LayerNormPart]


def _check_reference() -> None:
    """The grader's own formulas agree with literal values worked out by hand."""
    if not np.allclose(positional_encoding(2, 4), GOLDEN_ENCODING, atol=1e-12):
        raise RuntimeError("the grader's positional encoding disagrees with its golden values")
    if not math.isclose(GOLDEN_ENCODING[1][2], math.sin(0.01), rel_tol=1e-12):
        raise RuntimeError("the golden values are not the formula's")
    q = np.array([[[1.0, 0.0]]])
    k = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    weights = softmax(attention_scores(q, k))
    expected = math.exp(1 / math.sqrt(2)) / (math.exp(1 / math.sqrt(2)) + 1.0)
    if not math.isclose(weights[0, 0, 0], expected, rel_tol=1e-12):
        raise RuntimeError("the grader's attention disagrees with its golden value")


_check_reference()
