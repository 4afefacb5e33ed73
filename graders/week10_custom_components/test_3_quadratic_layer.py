"""Week 10 grader, part 3: a layer with weights of its own, ``QuadraticLayer`` (exercise 10.3).

Drawn afresh at each grading, each check from its own ``fresh_rng(submission, ...)``
stream (ranges inclusive):

* weights after build: two layers ``QuadraticLayer(units=u)``, u from 1 to 6, each built
  with ``layer.build((None, d))``, d from 2 to 8 (never 1, so weights made for one input
  feature fail); the names, shapes and trainable flags of the weights come back;
* output: ``QuadraticLayer(units=u)``, u from 1 to 5, built for d from 2 to 6 inputs and
  called on 3 to 9 samples uniform in [-2, 2]; the layer returns its output and its own
  (randomly initialised) weights, and the grader recomputes ``x**2 @ a + x @ b + c`` from
  them with numpy (tolerance 1e-4 relative + 1e-5 absolute);
* configuration: ``QuadraticLayer.from_config(layer.get_config())`` for u from 2 to 6
  (never the default 1) and d from 1 to 6 must build the same weights.

Self-reported, and worth 1 point each: the names and shapes of the weights after ``build``
and of the rebuilt layer's weights are the worker's word; only the output check recomputes
what the layer computed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_close, draw_between, fail, format_shape, fresh_rng

from . import reference, replies

pytestmark = pytest.mark.visibility("visible")

#: Inclusive ranges of (units, input_dim) for each check, and of the samples of the call.
BUILD_RANGES = ((1, 6), (2, 8))
BUILD_LAYERS = 2
CALL_RANGES = ((1, 5), (2, 6))
CALL_ROWS = (3, 9)
ROUND_TRIP_RANGES = ((2, 6), (1, 6))
WEIGHT_NAMES = ("a", "b", "c")
BUILD_HINT = (
    "create the weights in build(self, input_shape), where input_dim = input_shape[-1] is "
    "known: self.a = self.add_weight(name='a', shape=(input_dim, self.units), "
    "initializer='random_normal'), the same for b, and c with shape (self.units,) and "
    "initializer='zeros'."
)


def _probe(submission: Submission, units: int, input_dim: int, **extra: object) -> object:
    used = "built for and called on" if "inputs" in extra else "built for"
    return submission.probe(
        "custom.layer",
        action=f"QuadraticLayer(units={units}) {used} inputs of shape (None, {input_dim})",
        name="QuadraticLayer",
        kwargs={"units": units},
        input_shape=[None, input_dim],
        **extra,
    )


def _by_name(variables: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Variables by their last name part (``quadratic_layer/a`` and ``a`` both give ``a``)."""
    return {v["name"].rsplit("/", 1)[-1]: v for v in variables}


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_quadratic_layer_weights_after_build(submission: Submission) -> None:
    """after build((None, d)), QuadraticLayer(units) has weights a, b, c of the right shapes

    Self-reported: the names, shapes and trainable flags of the weights, as the worker lists
    them."""
    rng = fresh_rng(submission, "quadratic layer build")
    for _ in range(BUILD_LAYERS):
        units, input_dim = (draw_between(rng, bounds) for bounds in BUILD_RANGES)
        reply = _probe(submission, units, input_dim)
        weights = replies.variables(reply, "weights_after_build", what="the layer")
        named = _by_name(weights)
        expected = {"a": (input_dim, units), "b": (input_dim, units), "c": (units,)}
        what = f"the weights of QuadraticLayer(units={units}) after build((None, {input_dim}))"
        if len(weights) != len(expected) or {n: v["shape"] for n, v in named.items()} != expected:
            raise fail(
                what,
                expected=", ".join(f"{n} {format_shape(shape)}" for n, shape in expected.items()),
                received=replies.shapes(weights),
                hint=BUILD_HINT,
            )
        frozen = [name for name, v in named.items() if not v["trainable"]]
        if frozen:
            raise fail(
                f"{what}: trainable",
                expected="a, b and c all trainable",
                received=f"{', '.join(frozen)} not trainable",
                hint="add_weight(..., trainable=True) is the default; do not change it.",
            )


@pytest.mark.points(2)
@pytest.mark.time_limit(30)
def test_quadratic_layer_output(submission: Submission) -> None:
    """QuadraticLayer computes x**2 @ a + x @ b + c with its own weights"""
    rng = fresh_rng(submission, "quadratic layer output")
    units, input_dim = (draw_between(rng, bounds) for bounds in CALL_RANGES)
    x = rng.uniform(-2, 2, size=(draw_between(rng, CALL_ROWS), input_dim)).astype("float32")
    reply = _probe(submission, units, input_dim, inputs=x)
    call = f"QuadraticLayer(units={units}) on inputs of shape {x.shape}"
    weights = _by_name(replies.variables(reply, "weights", what="the layer"))
    if any(name not in weights for name in WEIGHT_NAMES):
        raise fail(
            f"the weights of {call}",
            expected="weights named a, b and c",
            received=replies.shapes(list(weights.values())),
            hint="name them: self.add_weight(name='a', ...).",
        )
    a, b, c = (replies.array(weights[n].get("value"), what=f"weight {n}") for n in WEIGHT_NAMES)
    if not (np.any(a) and np.any(b)):
        raise fail(
            f"the initial weights a and b of {call}",
            expected="random numbers (initializer='random_normal')",
            received="all zeros",
            hint="add_weight(name='a', shape=..., initializer='random_normal'); only c starts "
            "at zero.",
        )
    check_close(
        replies.array_at(reply, "outputs", what="the layer"),
        reference.quadratic(x, a, b, c),
        f"the output of {call}, x**2 @ a + x @ b + c,",
        rtol=1e-4,
        hint="return keras.ops.matmul(keras.ops.square(inputs), self.a) + "
        "keras.ops.matmul(inputs, self.b) + self.c, of shape (batch, units).",
    )


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_quadratic_layer_config_round_trip(submission: Submission) -> None:
    """QuadraticLayer.from_config(layer.get_config()) builds the same weights

    Self-reported: the names and shapes of both layers' weights, as the worker lists them."""
    rng = fresh_rng(submission, "quadratic layer round trip")
    units, input_dim = (draw_between(rng, bounds) for bounds in ROUND_TRIP_RANGES)
    reply = _probe(submission, units, input_dim, round_trip=True)
    original = replies.variables(reply, "weights_after_build", what="the layer")
    rebuilt = replies.variables(reply, "rebuilt_weights", what="the layer")
    config = replies.field(reply, "config", dict, what="the layer")
    if [(v["name"], v["shape"]) for v in original] != [(v["name"], v["shape"]) for v in rebuilt]:
        shown = {key: config[key] for key in sorted(config) if key != "dtype"}
        raise fail(
            f"the weights of QuadraticLayer.from_config(layer.get_config()) for layer = "
            f"QuadraticLayer(units={units}), built for (None, {input_dim})",
            expected=f"those of layer: {replies.shapes(original)}",
            received=f"{replies.shapes(rebuilt)}; get_config() returned {shown}",
            hint="get_config() returns {**super().get_config(), 'units': self.units}.",
        )
