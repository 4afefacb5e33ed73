"""Week 2 grader, part 3: the model and how it is compiled (exercise 2.3).

Structure and compile settings come from the worker as plain data (self-reported, as a
model's description can only be). The softmax check predicts 32 generated images in this
process, on the model rebuilt from its config and weights; the submission never sees those
images. A model without static shapes (a Sequential model without ``keras.Input``) has its
shapes observed here, on the rebuilt model's predictions for the same images. A model that
cannot be rebuilt (a Lambda layer, a custom class, a subclassed model) fails those checks:
its outputs are never taken from the worker. The parameter budget is counted from the
weight arrays.

Equivalent mutants:
    build_model:remove-layer:Input - a Sequential model without keras.Input is still right:
        it takes its input shape when first called, and its shapes are observed here.
    build_model:swap-activation:relu - the exercise names no hidden activation: a sigmoid
        hidden layer is a right answer when the trained model reaches the accuracy threshold
        (part 4 judges that).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import (
    check_accuracy_metric,
    check_input_shape,
    check_loss,
    check_output_shape,
    check_parameter_count,
    fail,
    fresh_rng,
)

from .images import predict_images

pytestmark = pytest.mark.visibility("visible")

PARAMETER_BUDGET = 250_000
_WHAT = "the model from build_model()"
_COMPILE = (
    "compile with loss='sparse_categorical_crossentropy' (the labels are the integers 0-9, "
    "not one-hot vectors) and metrics=['accuracy']."
)


@pytest.fixture(scope="module")
def model(submission: Submission) -> ModelReport:
    return submission.model("build_model")


@pytest.fixture(scope="module")
def sample(submission: Submission) -> np.ndarray:
    """The images the rebuilt model predicts here, drawn for this grading."""
    rng = fresh_rng(submission, "model sample")
    return rng.random((int(rng.integers(16, 65)), 28, 28), dtype=np.float32)


def _static_or_observed(model: ModelReport, sample: np.ndarray) -> ModelReport:
    """``model``, with shapes observed on ``sample`` here when it has no static ones."""
    if model.input_shape is not None and model.output_shape is not None:
        return model
    predictions = _predict(model, sample)
    return replace(
        model, input_shape=(None, *sample.shape[1:]), output_shape=(None, *predictions.shape[1:])
    )


def _predict(report: ModelReport, sample: np.ndarray) -> np.ndarray:
    """Predictions for ``sample`` of the model rebuilt here; fails when it cannot be rebuilt."""
    return predict_images(report, sample, what=_WHAT)


@pytest.mark.points(1)
def test_input_shape(model: ModelReport, sample: np.ndarray) -> None:
    """the model takes 28x28 images"""
    check_input_shape(
        _static_or_observed(model, sample),
        (None, 28, 28),
        hint="start with keras.Input(shape=(28, 28)) and flatten inside the model.",
    )


@pytest.mark.points(1)
def test_output_shape(model: ModelReport, sample: np.ndarray) -> None:
    """the model outputs 10 class scores"""
    check_output_shape(
        _static_or_observed(model, sample),
        (None, 10),
        hint="end with one unit per class: keras.layers.Dense(10, activation='softmax').",
    )


@pytest.mark.points(1)
def test_softmax_outputs(model: ModelReport, sample: np.ndarray) -> None:
    """the outputs are probabilities: each row is non-negative and sums to 1"""
    predictions = _predict(model, sample)
    if predictions.ndim != 2 or predictions.shape[0] != len(sample):
        raise fail(
            f"the predictions for {len(sample)} images",
            expected=f"one row per image, shape ({len(sample)}, 10)",
            received=f"shape {predictions.shape}",
            hint="end with keras.layers.Dense(10, activation='softmax').",
        )
    sums = predictions.sum(axis=1)
    if not (np.all(predictions >= 0) and np.allclose(sums, 1.0, atol=1e-3)):
        raise fail(
            "the sum of each row of predictions",
            expected="1, with no negative value",
            received=f"sums from {float(np.min(sums)):.4g} to {float(np.max(sums)):.4g} "
            f"and values from {float(np.min(predictions)):.4g}",
            hint="the last layer needs activation='softmax' to turn scores into probabilities.",
        )


@pytest.mark.points(1)
def test_loss(model: ModelReport) -> None:
    """the loss is sparse categorical cross-entropy"""
    check_loss(model, loss="sparse_categorical_crossentropy", what=_WHAT, compile_hint=_COMPILE)


@pytest.mark.points(1)
def test_accuracy_metric(model: ModelReport) -> None:
    """the model reports accuracy while it trains"""
    check_accuracy_metric(model, loss="sparse_categorical_crossentropy", what=_WHAT)


@pytest.mark.points(1)
def test_parameter_budget(model: ModelReport) -> None:
    """the model has at most 250,000 parameters"""
    check_parameter_count(
        model,
        at_most=PARAMETER_BUDGET,
        hint="Flatten, one Dense(128) hidden layer and Dense(10) make about 100,000 "
        "parameters; use fewer or smaller hidden layers.",
    )
