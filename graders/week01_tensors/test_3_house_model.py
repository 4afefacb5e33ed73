"""Week 1 grader, part 3: the one-neuron house-price model (exercise 1.6).

The worker trains the student's compiled model with 1,000 full-batch steps on six points
(1-6 bedrooms, price 0.5 + 0.5 * bedrooms): 100 epochs over the six points repeated ten
times, batch size 6, unshuffled - the same updates as 1,000 epochs on the six points, with a
tenth of Keras's per-epoch overhead. The grading process rebuilds the model from its config
and the returned weights, and predicts 7 bedrooms itself.

Measured on the reference solution (SGD, learning rate 0.01), seeds 0-4: |prediction - 4.0|
= 0.0062, 0.0029, 0.0095, 0.0059, 0.0079 (max 0.0095) against the allowed 0.1, a tenfold
margin. With 500 steps the error reached 0.059 (seed 2), too close to the bar, hence 1,000.
The training takes 7-14 s on 2 busy cores.

Nothing here is drawn per grading, on purpose: the six training points are the data the
threshold was measured on (the training itself varies with the grading's seed), and the
7-bedroom house is predicted in this process, on the rebuilt model; the submission never
sees it.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.reports import ModelReport, TrainingReport
from course.grading.submission import Submission
from course.testing import (
    check_close,
    check_input_shape,
    check_loss,
    check_optimizer,
    check_output_shape,
    check_parameter_count,
    fail,
    predictions_of,
)

pytestmark = pytest.mark.visibility("visible")

BEDROOMS = np.arange(1, 7, dtype="float32").reshape(-1, 1)
PRICES = (0.5 + 0.5 * BEDROOMS).astype("float32")


@pytest.fixture(scope="module")
def model(submission: Submission) -> ModelReport:
    return submission.model("build_house_price_model")


@pytest.fixture(scope="module")
def trained(submission: Submission) -> TrainingReport:
    return submission.fit(
        "build_house_price_model",
        np.tile(BEDROOMS, (10, 1)),
        np.tile(PRICES, (10, 1)),
        epochs=100,
        batch_size=len(BEDROOMS),
        shuffle=False,
    )


@pytest.mark.points(1)
def test_single_dense_unit(model: ModelReport) -> None:
    """the model is one Dense layer with one unit on one input feature"""
    check_input_shape(model, (None, 1), hint="start with keras.Input(shape=(1,)).")
    check_output_shape(model, (None, 1), hint="use keras.layers.Dense(1).")
    if [name for name in model.layer_classes if name != "InputLayer"] != ["Dense"]:
        raise fail(
            "the layers",
            expected="exactly one Dense layer",
            received=", ".join(model.layer_classes),
        )
    check_parameter_count(model, exactly=2, hint="one weight and one bias.")


@pytest.mark.points(1)
def test_compiled_with_sgd_and_mse(model: ModelReport) -> None:
    """the model is compiled with SGD and mean squared error"""
    hint = "call model.compile(optimizer='sgd', loss='mean_squared_error')."
    check_optimizer(model, "sgd", hint=hint)
    check_loss(model, loss="mean_squared_error", compile_hint=hint)


@pytest.mark.visibility("hidden")
@pytest.mark.points(2)
@pytest.mark.time_limit(120)
def test_predicts_seven_bedrooms(trained: TrainingReport) -> None:
    """after training, 7 bedrooms are predicted within 0.1 of 4.0"""
    output = predictions_of(trained.model, np.array([[7.0]], dtype="float32"), what="the model")
    check_close(
        output.reshape(-1),
        [4.0],
        "the prediction for 7 bedrooms (to within 0.1)",
        atol=0.1,
        rtol=0.0,
        hint="use a single output unit, keras.layers.Dense(1), and check the optimizer and "
        "loss; the grader trains with 1,000 full-batch steps.",
    )
