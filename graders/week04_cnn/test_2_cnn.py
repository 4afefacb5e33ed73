"""Week 4 grader, part 2: the CNN and how it is compiled (exercise 4.2).

Structure and compile settings come from the worker as plain data: layer kinds, shapes,
the compile config and the weight arrays, from which the parameter budget is counted
(BatchNormalization's moving statistics included, as ``model.summary()`` counts them). The
probability check predicts generated images here, on the model rebuilt from its config
and weights; the submission never sees them. They are drawn afresh at each grading
(``course.testing.fresh_rng``): 8 to 32 images of values in [0, 1). A model that cannot
be rebuilt (a Lambda layer, a custom class, a subclassed model) fails that check: its
outputs are never taken from the worker.

Equivalent mutants:
    build_cnn:drop-activation:relu - the exercise names no activation for the convolution:
        a linear Conv2D before BatchNormalization, pooling and a ReLU Dense layer is a right
        answer when the trained CNN reaches the accuracy threshold (part 3 judges that).
    build_cnn:swap-activation:relu - likewise a sigmoid convolution.
    build_cnn:remove-layer:Dense - the hidden Dense(128) layer: the exercise asks for
        "Flatten, then Dense layers ending in Dense(10, activation='softmax')", which the
        output layer alone satisfies; a right answer when it reaches the accuracy threshold
        (part 3 judges that).
    build_cnn:drop-activation:relu#2 - the exercise names no activation for the hidden
        Dense layer: a linear one is a right answer when the trained CNN reaches the
        accuracy threshold.
    build_cnn:swap-activation:relu#2 - likewise a sigmoid hidden Dense layer.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import (
    check_compiled,
    check_input_shape,
    check_layers_present,
    check_output_shape,
    check_parameter_count,
    fail,
    fresh_rng,
    predictions_of,
)

pytestmark = pytest.mark.visibility("visible")

BUILDER = "build_cnn"
PARAMETER_BUDGET = 400_000


@pytest.fixture(scope="module")
def model(submission: Submission) -> ModelReport:
    return submission.model(BUILDER)


@pytest.mark.points(1)
def test_input_shape(model: ModelReport) -> None:
    """the CNN takes 28x28 images with one channel"""
    check_input_shape(
        model,
        (None, 28, 28, 1),
        hint="start with keras.Input(shape=(28, 28, 1)): height, width and one channel.",
    )


@pytest.mark.points(1)
def test_outputs_class_probabilities(submission: Submission, model: ModelReport) -> None:
    """the CNN outputs 10 class probabilities"""
    hint = "end with keras.layers.Dense(10, activation='softmax')."
    check_output_shape(model, (None, 10), hint=hint)
    rng = fresh_rng(submission, "cnn sample")
    sample = rng.random((int(rng.integers(8, 33)), 28, 28, 1), dtype=np.float32)
    predictions = predictions_of(
        model,
        sample,
        what="the model",
        expected="able to predict a batch of (28, 28, 1) images",
        hint="start the model with keras.Input(shape=(28, 28, 1)).",
        batch_size=len(sample),
    )
    sums = predictions.sum(axis=1)
    if not (np.all(predictions >= 0) and np.allclose(sums, 1.0, atol=1e-3)):
        raise fail(
            "the sum of each row of predictions",
            expected="1, with no negative value",
            received=f"sums from {float(np.min(sums)):.4g} to {float(np.max(sums)):.4g} "
            f"and values from {float(np.min(predictions)):.4g}",
            hint=hint,
        )


@pytest.mark.points(2)
def test_convolution_and_pooling(model: ModelReport) -> None:
    """the CNN has Conv2D and MaxPooling2D layers"""
    check_layers_present(
        model,
        ["Conv2D", "MaxPooling2D"],
        hint="add keras.layers.Conv2D(16, 3, activation='relu') followed by "
        "keras.layers.MaxPooling2D(2) before Flatten.",
    )


@pytest.mark.points(1)
def test_batch_normalization_and_dropout(model: ModelReport) -> None:
    """the CNN has BatchNormalization and Dropout layers"""
    check_layers_present(
        model,
        ["BatchNormalization", "Dropout"],
        hint="add keras.layers.BatchNormalization() after a convolution and "
        "keras.layers.Dropout(0.25) before the Dense layers.",
    )


@pytest.mark.points(1)
def test_compiled_for_integer_labels(model: ModelReport) -> None:
    """the CNN is compiled with sparse categorical cross-entropy and accuracy"""
    check_compiled(
        model,
        loss="sparse_categorical_crossentropy",
        what=f"the model from {BUILDER}()",
        compile_hint="call model.compile(optimizer='adam', "
        "loss='sparse_categorical_crossentropy', metrics=['accuracy']): the labels are the "
        "integers 0-9.",
    )


@pytest.mark.points(1)
def test_parameter_budget(model: ModelReport) -> None:
    """the CNN has at most 400,000 parameters"""
    check_parameter_count(
        model,
        at_most=PARAMETER_BUDGET,
        hint="pooling shrinks the feature maps before Flatten, and the Dense layer after "
        "Flatten holds most parameters: pool after each convolution, use fewer filters, or "
        "a smaller Dense layer.",
    )
