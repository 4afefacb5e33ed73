"""Week 10 grader, part 7: a subclassed ``keras.Model``, ``WideAndDeepModel`` (exercise 10.7).

Drawn afresh at each grading (``fresh_rng(submission, "wide and deep")``): ``units`` from 3
to 12 and the input width ``d`` from 2 to 8, never equal (so that each Dense layer's kernel
has a shape of its own), and two batches of 3 to 12 standard normal samples of ``d``
features. The worker makes ``WideAndDeepModel(units=units)`` twice:

* called on the first batch (probe ``custom.subclassed``): its class chain, the shape of
  its output and the names and shapes of its trainable variables come back. With ``d``
  inputs and ``units`` units the variables are the kernel and bias of ``hidden1`` (d x
  units, units), of ``hidden2`` (units x units, units) and of ``output_layer``, which reads
  the input joined to the deep path: (d + units) x 1 and 1;
* built for ``(None, d)`` and called on the second batch (probe ``custom.layer``): its
  output and its own (randomly initialised) weights come back, and the grader recomputes
  ``output_layer(concatenate([x, relu(relu(x W1 + b1) W2 + b2)]))`` from them with numpy,
  each Dense layer found by the shape of its kernel (tolerance 1e-4 relative + 1e-5
  absolute).

Self-reported: a subclassed model has no config, so it cannot be rebuilt here; its class
and the list of its trainable variables are what the worker says of them (1 point each).
The output, recomputed here from the returned weights, is the grader's own evidence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_close, draw_between, fail, format_shape, fresh_rng

from . import replies

pytestmark = pytest.mark.visibility("visible")

NAME = "WideAndDeepModel"
UNITS = (3, 12)  # inclusive
INPUT_DIM = (2, 8)  # inclusive, never equal to units
SAMPLES = (3, 12)  # inclusive
TOLERANCE = 1e-4
STRUCTURE_HINT = (
    "in __init__: self.hidden1 = Dense(units, activation='relu'), self.hidden2 = the same, "
    "self.output_layer = Dense(1); in call: deep = self.hidden2(self.hidden1(inputs)), then "
    "return self.output_layer(keras.layers.concatenate([inputs, deep]))."
)


@dataclass(frozen=True)
class Case:
    """The grader's draw: the model's units, its input width and the two batches."""

    units: int
    input_dim: int
    called_x: np.ndarray
    computed_x: np.ndarray

    @property
    def call(self) -> str:
        return f"{NAME}(units={self.units})"

    def expected_shapes(self) -> dict[str, list[tuple[int, ...]]]:
        units, width = self.units, self.input_dim
        return {
            "hidden1": [(width, units), (units,)],
            "hidden2": [(units, units), (units,)],
            "output_layer": [(width + units, 1), (1,)],
        }


@pytest.fixture(scope="module")
def case(submission: Submission) -> Case:
    rng = fresh_rng(submission, "wide and deep")
    units = draw_between(rng, UNITS)
    width = int(rng.choice([w for w in range(INPUT_DIM[0], INPUT_DIM[1] + 1) if w != units]))
    called_x, computed_x = (
        rng.normal(size=(draw_between(rng, SAMPLES), width)).astype("float32") for _ in range(2)
    )
    return Case(units, width, called_x, computed_x)


def _probe(
    submission: Submission, case: Case, probe: str, x: np.ndarray, **extra: object
) -> object:
    used = "built for and called on" if "input_shape" in extra else "called on"
    return submission.probe(
        probe,
        action=f"{case.call} {used} inputs of shape {x.shape}",
        name=NAME,
        kwargs={"units": case.units},
        inputs=x,
        **extra,
    )


@pytest.fixture(scope="module")
def called(submission: Submission, case: Case) -> object:
    return _probe(submission, case, "custom.subclassed", case.called_x)


@pytest.fixture(scope="module")
def computed(submission: Submission, case: Case) -> object:
    return _probe(
        submission, case, "custom.layer", case.computed_x, input_shape=[None, case.input_dim]
    )


def _dense_layers(weights: list[dict[str, Any]]) -> dict[tuple[int, ...], Any]:
    """Each Dense layer's (kernel, bias) by the shape of its kernel, grouping the weights by
    the path of the layer that holds them."""
    layers: dict[str, dict[int, np.ndarray]] = {}
    for weight in weights:
        value = replies.array(weight.get("value"), what=f"the weight {weight['path']}")
        layers.setdefault(weight["path"].rsplit("/", 1)[0], {})[value.ndim] = value
    return {
        tuple(parts[2].shape): (parts[2], parts.get(1, np.zeros(parts[2].shape[1])))
        for parts in layers.values()
        if 2 in parts
    }


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_subclassed_model_output(case: Case, called: object, computed: object) -> None:
    """WideAndDeepModel, a keras.Model subclass, computes output_layer(concat([x, deep(x)]))

    Self-reported: the class chain. The output is recomputed here from the model's weights."""
    chain = [str(c) for c in replies.field(called, "class_chain", list, what="the model")]
    if chain[0] != NAME or "Model" not in chain or {"Functional", "Sequential"} & set(chain):
        raise fail(
            f"the class of {case.call}",
            expected=f"{NAME}, a direct subclass of keras.Model",
            received=" -> ".join(chain),
            hint="class WideAndDeepModel(keras.Model): with __init__ and call.",
        )
    x = case.computed_x.astype("float64")
    dense = _dense_layers(replies.variables(computed, "weights", what="the model"))
    kernels = {name: shapes[0] for name, shapes in case.expected_shapes().items()}
    missing = [f"{name} {format_shape(s)}" for name, s in kernels.items() if s not in dense]
    if missing:
        found = ", ".join(format_shape(shape) for shape in dense) or "none"
        raise fail(
            f"the kernels of {case.call} after a call on inputs of shape {format_shape(x.shape)}",
            expected=", ".join(f"{name} {format_shape(s)}" for name, s in kernels.items()),
            received=f"{found}; missing: {', '.join(missing)}",
            hint="a layer that call() never uses is never built and has no weights; "
            + STRUCTURE_HINT,
        )
    (w1, b1), (w2, b2), (w3, b3) = (dense[shape] for shape in kernels.values())
    deep = np.maximum(np.maximum(x @ w1 + b1, 0.0) @ w2 + b2, 0.0)
    check_close(
        replies.array_at(computed, "outputs", what="the model"),
        np.concatenate([x, deep], axis=1) @ w3 + b3,
        f"the output of {case.call} for inputs of shape {format_shape(x.shape)}, recomputed "
        "from the model's weights,",
        rtol=TOLERANCE,
        hint=STRUCTURE_HINT,
    )


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_subclassed_model_trainable_variables(case: Case, called: object) -> None:
    """WideAndDeepModel trains the kernels and biases of hidden1, hidden2 and output_layer

    Self-reported: the names and shapes of the variables, as the worker lists them."""
    variables = replies.variables(called, "trainable_variables", what="the model")
    shapes = case.expected_shapes()
    expected = [shape for layer in shapes.values() for shape in layer]
    received = [v["shape"] for v in variables]
    if Counter(received) != Counter(expected):
        listed = "; ".join(
            f"{layer}: " + ", ".join(format_shape(s) for s in layer_shapes)
            for layer, layer_shapes in shapes.items()
        )
        missing = list((Counter(expected) - Counter(received)).elements())
        raise fail(
            f"the trainable variables of {case.call} after a call on inputs of "
            f"shape (None, {case.input_dim})",
            expected=f"{len(expected)} variables, {listed}",
            received=", ".join(f"{v['path']} {format_shape(v['shape'])}" for v in variables)
            + (f"; missing: {', '.join(format_shape(s) for s in missing)}" if missing else ""),
            hint="a layer that call() never uses is never built and has no variables; "
            + STRUCTURE_HINT,
        )
