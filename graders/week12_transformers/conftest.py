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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from course.grading.reports import MalformedData, expect, expect_array
from course.grading.submission import Submission
from course.testing import fail, format_shape

#: Literal values of the positional encoding for depth 4, rows 0 and 1, from the formula.
GOLDEN_ENCODING = (
    (0.0, 1.0, 0.0, 1.0),
    (0.8414709848078965, 0.5403023058681398, 0.009999833334166664, 0.9999500004166653),
)
#: What Keras puts in the scores of masked keys (any value below about -100 gives 0 weight).
MASKED_SCORE = -1e9


class Reference:
    """The week's formulas in numpy (float64): what the submission's code must compute."""

    @staticmethod
    def angles(length: int, depth: int, *, exponent_index: np.ndarray | None = None) -> np.ndarray:
        """``pos / 10000 ** (2i / depth)`` for every position and column; column ``j``
        belongs to pair ``i = j // 2`` unless ``exponent_index`` says otherwise."""
        positions = np.arange(length, dtype="float64")[:, np.newaxis]
        index = np.arange(depth) // 2 if exponent_index is None else exponent_index
        return positions / np.power(10_000.0, 2 * index[np.newaxis, :] / depth)

    @staticmethod
    def positional_encoding(length: int, depth: int) -> np.ndarray:
        """The paper's layout: sin in the even columns, cos in the odd ones."""
        angles = Reference.angles(length, depth)
        encoding: np.ndarray = np.sin(angles)
        encoding[:, 1::2] = np.cos(angles[:, 1::2])
        return encoding

    @staticmethod
    def positional_encoding_variants(length: int, depth: int) -> dict[str, np.ndarray]:
        """Plausible wrong layouts, each named by its mistake."""
        half = Reference.angles(length, depth)[:, 0::2]
        right = Reference.positional_encoding(length, depth)
        swapped = right.copy()
        swapped[:, 0::2], swapped[:, 1::2] = right[:, 1::2], right[:, 0::2]
        own_frequency = Reference.angles(length, depth, exponent_index=np.arange(depth))
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

    @staticmethod
    def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
        shifted = scores - scores.max(axis=axis, keepdims=True)
        exponentials = np.exp(shifted)
        probabilities: np.ndarray = exponentials / exponentials.sum(axis=axis, keepdims=True)
        return probabilities

    @staticmethod
    def attention_scores(
        q: np.ndarray, k: np.ndarray, mask: np.ndarray | None = None, *, scale: float | None = None
    ) -> np.ndarray:
        """``q k^T / sqrt(depth)`` (or divided by ``scale``), ``MASKED_SCORE`` where masked."""
        scores: np.ndarray = np.matmul(
            q.astype("float64"), np.swapaxes(k.astype("float64"), -1, -2)
        )
        scores = scores / (np.sqrt(k.shape[-1]) if scale is None else scale)
        if mask is not None:
            scores = np.where(np.broadcast_to(mask, scores.shape), scores, MASKED_SCORE)
        return scores

    @staticmethod
    def attention(
        q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(softmax(q k^T / sqrt(depth)) v, the weights)``."""
        weights = Reference.softmax(Reference.attention_scores(q, k, mask))
        return np.matmul(weights, v.astype("float64")), weights

    @staticmethod
    def layer_norm(x: np.ndarray, part: LayerNormPart) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        variance = x.var(axis=-1, keepdims=True)
        standardized = (x - mean) / np.sqrt(variance + part.epsilon)
        normalized: np.ndarray = standardized * part.gamma + part.beta
        return normalized

    @staticmethod
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
        weights = Reference.softmax(scores)
        context = np.einsum("bhts,bshk->bthk", weights, value)
        output: np.ndarray = (
            np.einsum("bthk,hkd->btd", context, part.output_kernel) + part.output_bias
        )
        return output

    @staticmethod
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
            return Reference.multi_head_attention(inputs, parts.attention, mask)

        def feed_forward(inputs: np.ndarray) -> np.ndarray:
            hidden = np.maximum(inputs @ parts.hidden_kernel + parts.hidden_bias, 0.0)
            output: np.ndarray = hidden @ parts.output_kernel + parts.output_bias
            return output

        if pre_norm:
            attended = attend(Reference.layer_norm(x, first))
            y = x + attended if attention_residual else attended
            transformed = feed_forward(Reference.layer_norm(y, second))
            return y + transformed if feed_forward_residual else transformed
        attended = attend(x)
        y = Reference.layer_norm(x + attended if attention_residual else attended, first)
        transformed = feed_forward(y)
        return Reference.layer_norm(
            y + transformed if feed_forward_residual else transformed, second
        )


def _check_reference() -> None:
    """The grader's own formulas agree with literal values worked out by hand."""
    if not np.allclose(Reference.positional_encoding(2, 4), GOLDEN_ENCODING, atol=1e-12):
        raise RuntimeError("the grader's positional encoding disagrees with its golden values")
    if not math.isclose(GOLDEN_ENCODING[1][2], math.sin(0.01), rel_tol=1e-12):
        raise RuntimeError("the golden values are not the formula's")
    q = np.array([[[1.0, 0.0]]])
    k = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    _, weights = Reference.attention(q, k, k)
    expected = math.exp(1 / math.sqrt(2)) / (math.exp(1 / math.sqrt(2)) + 1.0)
    if not math.isclose(weights[0, 0, 0], expected, rel_tol=1e-12):
        raise RuntimeError("the grader's attention disagrees with its golden value")


_check_reference()


@pytest.fixture(scope="session")
def reference() -> type[Reference]:
    """The numpy formulas (``reference.attention(q, k, v, mask)``...)."""
    return Reference


# -- The parts of a submitted layer, read from the probe's reply -------------------------------


@dataclass(frozen=True)
class Sublayer:
    """One layer inside a submitted layer, as the worker described it."""

    class_name: str
    path: str
    config: dict[str, Any]
    weights: dict[str, np.ndarray]  # by the last two parts of the weight's path

    @property
    def parameter_count(self) -> int:
        return sum(int(value.size) for value in self.weights.values())


@dataclass(frozen=True)
class LayerCall:
    """A custom layer built once in the worker and called on grader inputs."""

    class_chain: tuple[str, ...]
    outputs: tuple[np.ndarray, ...]
    trainable_parameters: int
    non_trainable_parameters: int
    sublayers: tuple[Sublayer, ...]

    def of_class(self, name: str) -> list[Sublayer]:
        return [layer for layer in self.sublayers if layer.class_name == name]


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


def _sublayer(data: Any, index: int) -> Sublayer:
    what = f"sub-layer {index}"
    expect(data, dict, what=what)
    config = data.get("config")
    weights: dict[str, np.ndarray] = {}
    for entry in expect(data.get("weights"), list, what=f"{what} weights"):
        expect(entry, dict, what=f"a weight of {what}")
        path = expect(entry.get("path"), str, what="a weight path")
        key = "/".join(path.split("/")[-2:])
        weights[key] = expect_array(entry.get("value"), what=f"the weight {path}", kinds="f")
    return Sublayer(
        class_name=expect(data.get("class_name"), str, what=f"{what} class"),
        path=expect(data.get("path"), str, what=f"{what} path"),
        config=config if isinstance(config, dict) else {},
        weights=weights,
    )


def call_layer(
    submission: Submission,
    factory: str,
    args: Sequence[Any],
    calls: Sequence[Mapping[str, Any]],
) -> LayerCall:
    """``factory(*args)`` built in the worker and called once per entry of ``calls``."""
    call = f"{factory}({', '.join(map(repr, args))})"
    shapes = " and ".join(sorted({format_shape(np.shape(entry["inputs"])) for entry in calls}))
    value = expect(
        submission.probe(
            "attention.layer",
            action=f"building {call} and calling it on inputs of shape {shapes}",
            factory=factory,
            args=list(args),
            calls=[dict(entry) for entry in calls],
        ),
        dict,
        what="the layer report",
    )
    outputs = expect(value.get("outputs"), list, what="the layer outputs")
    if len(outputs) != len(calls):
        raise MalformedData("the layer report has the wrong number of outputs")
    return LayerCall(
        class_chain=tuple(expect(value.get("class_chain"), list, what="the class chain")),
        outputs=tuple(
            expect_array(output, what=f"the output of call {i + 1} of {call}", kinds="f")
            for i, output in enumerate(outputs)
        ),
        trainable_parameters=expect(value.get("trainable_parameters"), int, what="a count"),
        non_trainable_parameters=expect(value.get("non_trainable_parameters"), int, what="count"),
        sublayers=tuple(
            _sublayer(item, i)
            for i, item in enumerate(expect(value.get("sublayers"), list, what="sub-layers"))
        ),
    )


@pytest.fixture(scope="session")
def layer_probe() -> Any:
    """``layer_probe(submission, factory, args, calls)`` -> :class:`LayerCall`."""
    return call_layer


def attention_part(layer: Sublayer, *, what: str) -> AttentionPart:
    """The eight weight arrays of a ``MultiHeadAttention``, by their Keras names."""
    names = {
        "query_kernel": "query/kernel",
        "query_bias": "query/bias",
        "key_kernel": "key/kernel",
        "key_bias": "key/bias",
        "value_kernel": "value/kernel",
        "value_bias": "value/bias",
        "output_kernel": "attention_output/kernel",
        "output_bias": "attention_output/bias",
    }
    missing = [name for name in names.values() if name not in layer.weights]
    if missing:
        raise fail(
            f"the weights of the MultiHeadAttention in {what}",
            expected="query, key, value and output kernels and biases",
            received=f"{sorted(layer.weights)} (missing {missing})",
            hint="keep Keras's default use_bias=True and call the layer as "
            "attention(x, x, attention_mask=attention_mask).",
        )
    return AttentionPart(**{field: layer.weights[name] for field, name in names.items()})


def block_parts(report: LayerCall, *, embed_dim: int, ff_dim: int, what: str) -> BlockParts:
    """Find the attention, the two Dense layers and the two LayerNormalizations of a block."""
    hint = (
        "one keras.layers.MultiHeadAttention, Dense(ff_dim, activation='relu') then "
        "Dense(embed_dim), and two keras.layers.LayerNormalization, all created in __init__."
    )
    attentions = report.of_class("MultiHeadAttention")
    norms = report.of_class("LayerNormalization")
    denses = report.of_class("Dense")
    hidden = [d for d in denses if _kernel_shape(d) == (embed_dim, ff_dim)]
    output = [d for d in denses if _kernel_shape(d) == (ff_dim, embed_dim)]
    found = (
        f"{len(attentions)} MultiHeadAttention, {len(hidden)} Dense({ff_dim}) on {embed_dim} "
        f"inputs, {len(output)} Dense({embed_dim}) on {ff_dim} inputs, {len(norms)} "
        "LayerNormalization"
    )
    if len(attentions) != 1 or len(hidden) != 1 or len(output) != 1 or len(norms) != 2:
        raise fail(
            f"the layers inside {what}",
            expected=f"1 MultiHeadAttention, 1 Dense({ff_dim}) on {embed_dim} inputs, "
            f"1 Dense({embed_dim}) on {ff_dim} inputs, 2 LayerNormalization",
            received=found,
            hint=hint,
        )
    activation = hidden[0].config.get("activation")
    separate_relu = any(
        layer.class_name == "ReLU"
        or (layer.class_name == "Activation" and layer.config.get("activation") == "relu")
        for layer in report.sublayers
    )
    if activation != "relu" and not (activation == "linear" and separate_relu):
        raise fail(
            f"the activation of the Dense({ff_dim}) layer in {what}",
            expected="'relu'",
            received=repr(activation),
            hint="keras.layers.Dense(ff_dim, activation='relu'), then Dense(embed_dim).",
        )
    if output[0].config.get("activation") not in ("linear", None):
        raise fail(
            f"the activation of the Dense({embed_dim}) layer in {what}",
            expected="none (linear)",
            received=repr(output[0].config.get("activation")),
            hint="the feed-forward network's second Dense layer has no activation.",
        )
    return BlockParts(
        attention=attention_part(attentions[0], what=what),
        hidden_kernel=_kernel(hidden[0]),
        hidden_bias=_bias(hidden[0], ff_dim),
        output_kernel=_kernel(output[0]),
        output_bias=_bias(output[0], embed_dim),
        norms=(_norm(norms[0], embed_dim), _norm(norms[1], embed_dim)),
    )


def _kernel(layer: Sublayer) -> np.ndarray:
    return next(value for key, value in layer.weights.items() if key.endswith("/kernel"))


def _kernel_shape(layer: Sublayer) -> tuple[int, ...] | None:
    kernels = [value for key, value in layer.weights.items() if key.endswith("/kernel")]
    return tuple(kernels[0].shape) if len(kernels) == 1 else None


def _bias(layer: Sublayer, size: int) -> np.ndarray:
    biases = [value for key, value in layer.weights.items() if key.endswith("/bias")]
    return biases[0] if biases else np.zeros(size)


def _norm(layer: Sublayer, size: int) -> LayerNormPart:
    gamma = [value for key, value in layer.weights.items() if key.endswith("/gamma")]
    beta = [value for key, value in layer.weights.items() if key.endswith("/beta")]
    epsilon = layer.config.get("epsilon", 1e-3)
    return LayerNormPart(
        gamma=gamma[0] if gamma else np.ones(size),
        beta=beta[0] if beta else np.zeros(size),
        epsilon=float(epsilon) if isinstance(epsilon, int | float) else 1e-3,
    )


@pytest.fixture(scope="session")
def parts_of_block() -> Any:
    """``parts_of_block(report, embed_dim=..., ff_dim=..., what=...)`` -> :class:`BlockParts`."""
    return block_parts
