"""Week 10 grader, part 7: a subclassed ``keras.Model``, ``WideAndDeepModel`` (exercise 10.7).

The worker makes ``WideAndDeepModel(units=8)`` and calls it on 10 generated samples of 5
features; its output and the names and shapes of its trainable variables come back. With 5
inputs and 8 units the variables are the kernel and bias of ``hidden1`` (5 x 8, 8), of
``hidden2`` (8 x 8, 8) and of ``output_layer``, which reads the input joined to the deep
path: (5 + 8) x 1 and 1.

Self-reported: a subclassed model has no config, so it cannot be rebuilt here; the class,
the output's shape and the variables are what the worker says of them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import fail, format_shape

NAME = "WideAndDeepModel"
UNITS = 8
INPUT_DIM = 5
SAMPLES = 10
STRUCTURE_HINT = (
    "in __init__: self.hidden1 = Dense(units, activation='relu'), self.hidden2 = the same, "
    "self.output_layer = Dense(1); in call: deep = self.hidden2(self.hidden1(inputs)), then "
    "return self.output_layer(keras.layers.concatenate([inputs, deep]))."
)
EXPECTED_SHAPES = {
    "hidden1": [(INPUT_DIM, UNITS), (UNITS,)],
    "hidden2": [(UNITS, UNITS), (UNITS,)],
    "output_layer": [(INPUT_DIM + UNITS, 1), (1,)],
}


@pytest.fixture(scope="module")
def called(submission: Submission) -> Any:
    x = np.random.default_rng(800).normal(size=(SAMPLES, INPUT_DIM)).astype("float32")
    return submission.probe(
        "custom.subclassed",
        action=f"{NAME}(units={UNITS}) called on inputs of shape {x.shape}",
        name=NAME,
        kwargs={"units": UNITS},
        inputs=x,
    )


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_subclassed_model_output(called: Any, replies: Any) -> None:
    """WideAndDeepModel is a subclass of keras.Model and gives one number per sample

    Self-reported: the class chain and the shape of the output the worker computed."""
    chain = [str(c) for c in replies.field(called, "class_chain", list, what="the model")]
    if chain[0] != NAME or "Model" not in chain or {"Functional", "Sequential"} & set(chain):
        raise fail(
            f"the class of {NAME}(units={UNITS})",
            expected=f"{NAME}, a direct subclass of keras.Model",
            received=" -> ".join(chain),
            hint="class WideAndDeepModel(keras.Model): with __init__ and call.",
        )
    outputs = replies.array(replies.value(called, "outputs", what="the model"), what="output")
    if outputs.shape != (SAMPLES, 1):
        raise fail(
            f"the output of {NAME}(units={UNITS}) for inputs of shape ({SAMPLES}, {INPUT_DIM})",
            expected=f"shape {format_shape((SAMPLES, 1))}",
            received=f"shape {format_shape(outputs.shape)}",
            hint=STRUCTURE_HINT,
        )


@pytest.mark.points(2)
@pytest.mark.time_limit(30)
def test_subclassed_model_trainable_variables(called: Any, replies: Any) -> None:
    """WideAndDeepModel trains the kernels and biases of hidden1, hidden2 and output_layer

    Self-reported: the names and shapes of the variables, as the worker lists them."""
    variables = replies.variables(
        replies.field(called, "trainable_variables", list, what="the model"),
        what="the trainable variables",
    )
    expected = [shape for shapes in EXPECTED_SHAPES.values() for shape in shapes]
    received = [v["shape"] for v in variables]
    if Counter(received) != Counter(expected):
        listed = "; ".join(
            f"{layer}: " + ", ".join(format_shape(s) for s in shapes)
            for layer, shapes in EXPECTED_SHAPES.items()
        )
        missing = list((Counter(expected) - Counter(received)).elements())
        raise fail(
            f"the trainable variables of {NAME}(units={UNITS}) after a call on inputs of "
            f"shape (None, {INPUT_DIM})",
            expected=f"{len(expected)} variables, {listed}",
            received=", ".join(f"{v['path']} {format_shape(v['shape'])}" for v in variables)
            + (f"; missing: {', '.join(format_shape(s) for s in missing)}" if missing else ""),
            hint="a layer that call() never uses is never built and has no variables; "
            + STRUCTURE_HINT,
        )
