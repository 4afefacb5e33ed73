"""The layer probe of the week 12 graders: a submitted layer built and called in the worker.

The worker returns the layer's outputs and its sub-layers with their settings and weights;
this module reads that reply and finds an encoder block's parts in it, for ``reference.py``
to recompute the block from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from course.grading.reports import MalformedData, expect, expect_array
from course.grading.submission import Submission
from course.testing import fail, format_shape

from .reference import ATTENTION_WEIGHTS, BlockParts, LayerNormPart


@dataclass(frozen=True)
class Sublayer:
    """One layer inside a submitted layer, as the worker described it."""

    class_name: str
    config: dict[str, Any]
    weights: dict[str, np.ndarray]  # by the last two parts of the weight's path

    def weight(self, suffix: str) -> list[np.ndarray]:
        """The weights whose path ends in ``/suffix`` (``kernel``, ``bias``, ``gamma``)."""
        return [value for key, value in self.weights.items() if key.endswith(f"/{suffix}")]


@dataclass(frozen=True)
class LayerCall:
    """A custom layer built once in the worker and called on grader inputs."""

    outputs: tuple[np.ndarray, ...]
    trainable_parameters: int
    sublayers: tuple[Sublayer, ...]

    def of_class(self, name: str) -> list[Sublayer]:
        return [layer for layer in self.sublayers if layer.class_name == name]


def _sublayer(reply: object, index: int) -> Sublayer:
    what = f"sub-layer {index}"
    data: dict[str, Any] = expect(reply, dict, what=what)
    weights: dict[str, np.ndarray] = {}
    for entry in expect(data.get("weights"), list, what=f"{what} weights"):
        path = expect(expect(entry, dict, what=f"a weight of {what}").get("path"), str, what="path")
        key = "/".join(path.split("/")[-2:])
        weights[key] = expect_array(entry.get("value"), what=f"the weight {path}", kinds="f")
    config = data.get("config")
    return Sublayer(
        class_name=expect(data.get("class_name"), str, what=f"{what} class"),
        config=config if isinstance(config, dict) else {},
        weights=weights,
    )


def call_layer(
    submission: Submission, factory: str, args: Sequence[object], calls: Sequence[Mapping[str, Any]]
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
        outputs=tuple(
            expect_array(output, what=f"the output of call {i + 1} of {call}", kinds="f")
            for i, output in enumerate(outputs)
        ),
        trainable_parameters=expect(value.get("trainable_parameters"), int, what="a count"),
        sublayers=tuple(
            _sublayer(item, i)
            for i, item in enumerate(expect(value.get("sublayers"), list, what="sub-layers"))
        ),
    )


def block_parts(report: LayerCall, *, embed_dim: int, ff_dim: int, what: str) -> BlockParts:
    """Find the attention, the two Dense layers and the two LayerNormalizations of a block."""
    attentions = report.of_class("MultiHeadAttention")
    norms = report.of_class("LayerNormalization")
    denses = report.of_class("Dense")
    hidden = [d for d in denses if _kernel_shapes(d) == [(embed_dim, ff_dim)]]
    output = [d for d in denses if _kernel_shapes(d) == [(ff_dim, embed_dim)]]
    if len(attentions) != 1 or len(hidden) != 1 or len(output) != 1 or len(norms) != 2:
        raise fail(
            f"the layers inside {what}",
            expected=f"1 MultiHeadAttention, 1 Dense({ff_dim}) on {embed_dim} inputs, "
            f"1 Dense({embed_dim}) on {ff_dim} inputs, 2 LayerNormalization",
            received=f"{len(attentions)} MultiHeadAttention, {len(hidden)} Dense({ff_dim}) on "
            f"{embed_dim} inputs, {len(output)} Dense({embed_dim}) on {ff_dim} inputs, "
            f"{len(norms)} LayerNormalization",
            hint="one keras.layers.MultiHeadAttention, Dense(ff_dim, activation='relu') then "
            "Dense(embed_dim), and two keras.layers.LayerNormalization, all created in __init__.",
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
    attention = attentions[0].weights
    missing = [name for name in ATTENTION_WEIGHTS if name not in attention]
    if missing:
        raise fail(
            f"the weights of the MultiHeadAttention in {what}",
            expected="query, key, value and output kernels and biases",
            received=f"{sorted(attention)} (missing {missing})",
            hint="keep Keras's default use_bias=True and call the layer as "
            "attention(x, x, attention_mask=attention_mask).",
        )
    return BlockParts(
        attention=attention,
        hidden_kernel=hidden[0].weight("kernel")[0],
        hidden_bias=(hidden[0].weight("bias") or [np.zeros(ff_dim)])[0],
        output_kernel=output[0].weight("kernel")[0],
        output_bias=(output[0].weight("bias") or [np.zeros(embed_dim)])[0],
        norms=(_norm(norms[0], embed_dim), _norm(norms[1], embed_dim)),
    )


def _kernel_shapes(layer: Sublayer) -> list[tuple[int, ...]]:
    return [kernel.shape for kernel in layer.weight("kernel")]


def _norm(layer: Sublayer, size: int) -> LayerNormPart:
    epsilon = layer.config.get("epsilon", 1e-3)
    return LayerNormPart(
        gamma=(layer.weight("gamma") or [np.ones(size)])[0],
        beta=(layer.weight("beta") or [np.zeros(size)])[0],
        epsilon=float(epsilon) if isinstance(epsilon, int | float) else 1e-3,
    )
