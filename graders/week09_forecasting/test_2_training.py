"""Week 9 grader, part 2: the dense and recurrent forecasters learn the generated series.

Data: the grader's own generated series (conftest.py: week 8's recipe with the course's
settings and noise seed 51; 1,461 float32 values, the same at every grading: the thresholds
below were measured on it, and training varies with the grading's seed). The training
windows are the 980 windows of 20 values whose next value lies before step 1000; the
worker builds ``builder(20)`` and trains it with ``fit(x, y, epochs, batch_size=32,
shuffle=True)``: 20 epochs for the dense forecaster, 10 for the recurrent one. The model is
rebuilt here from its config and weights and forecasts the 461 validation steps from the
windows before them; the validation values never leave this process. A model with a Lambda
layer, or of the wrong shape, fails before any training (part 1 names the mistake).

Measured on the reference solution, 2 CPU cores shared with other jobs (load average 4-6),
seeds 0-4, with the requests of a grading run (the worker reseeds every generator before
each request):

    seed                    0      1      2      3      4
    dense      MSE      60.48  55.07  66.49  60.36  58.41
               MAE       5.47   5.20   5.71   5.31   5.43
    recurrent  MSE      57.91  62.08  78.55  59.57  65.61
               MAE       5.14   5.25   6.16   5.24   5.44

Thresholds: MSE at most 90 and MAE at most 7.00 for both, a margin of 23.5 / 1.29 (dense)
and 11.4 / 0.84 (recurrent) over the worst seed. What they separate: the baselines on the
same validation period score naive 63.47 / 5.97 and a 30-step moving average 113.68 / 7.41;
the recurrent forecaster without its output ``Rescaling(100.0)`` scores MSE 3,796 and
4,019, MAE 59.78 and 61.62 (seeds 0 and 1). Training takes 3-8 s per model (7-15 s at a
load average of 5).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import fail, note

SPLIT_TIME = 1000
WINDOW_SIZE = 20
BATCH_SIZE = 32
DENSE_EPOCHS = 20
RECURRENT_EPOCHS = 10
#: (MSE, MAE) at most, on the 461 validation steps.
DENSE_THRESHOLDS = (90.0, 7.0)
RECURRENT_THRESHOLDS = (90.0, 7.0)

Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@pytest.fixture(scope="module")
def split(forecasting: Any, grader_series: np.ndarray) -> Split:
    """(x_train, y_train, x_valid, y_valid) of the grader's series, windows of 20."""
    return forecasting.split(grader_series, SPLIT_TIME, WINDOW_SIZE)  # type: ignore[no-any-return]


def _check_learns(
    submission: Submission,
    forecasting: Any,
    split: Split,
    *,
    builder: str,
    epochs: int,
    thresholds: tuple[float, float],
    hint: str,
) -> None:
    x_train, y_train, x_valid, y_valid = split
    call = f"{builder}({WINDOW_SIZE})"
    trained = forecasting.train(
        submission, builder, WINDOW_SIZE, x=x_train, y=y_train, epochs=epochs, batch_size=BATCH_SIZE
    )
    forecast = forecasting.forecast(trained.model, x_valid, call=call)
    mse, mae = forecasting.errors(y_valid, forecast)
    _, naive_mae = forecasting.errors(y_valid, x_valid[:, -1])
    most_mse, most_mae = thresholds
    what = (
        f"the validation errors of {call}, trained {epochs} epochs on the {len(y_train)} "
        f"windows of the training period, on the {len(y_valid)} validation steps"
    )
    if not (mse <= most_mse and mae <= most_mae):
        raise fail(
            what,
            expected=f"MSE at most {most_mse:.0f} and MAE at most {most_mae:.2f} (the naive "
            f"forecast's MAE: {naive_mae:.2f})",
            received=f"MSE {mse:.2f}, MAE {mae:.2f} ({forecasting.history_tail(trained.history)})",
            hint=hint,
        )
    note(
        f"{call} on the validation period: MSE {mse:.2f}, MAE {mae:.2f} (needed: at most "
        f"{most_mse:.0f} and {most_mae:.2f}; the naive forecast's MAE {naive_mae:.2f})"
    )


@pytest.mark.points(3)
@pytest.mark.time_limit(120)
def test_dense_forecaster_learns_the_series(
    submission: Submission, forecasting: Any, split: Split
) -> None:
    """the dense forecaster, trained 20 epochs, forecasts the validation period well"""
    _check_learns(
        submission,
        forecasting,
        split,
        builder="build_dense_forecaster",
        epochs=DENSE_EPOCHS,
        thresholds=DENSE_THRESHOLDS,
        hint="Dense(10, relu), Dense(10, relu), Dense(1), compiled with loss='mse' and "
        "SGD(learning_rate=1e-6, momentum=0.9): a larger learning rate makes the loss "
        "explode on values this large.",
    )


@pytest.mark.points(3)
@pytest.mark.time_limit(120)
def test_recurrent_forecaster_learns_the_series(
    submission: Submission, forecasting: Any, split: Split
) -> None:
    """the recurrent forecaster, trained 10 epochs, forecasts the validation period well"""
    _check_learns(
        submission,
        forecasting,
        split,
        builder="build_recurrent_forecaster",
        epochs=RECURRENT_EPOCHS,
        thresholds=RECURRENT_THRESHOLDS,
        hint="scale around the LSTM: Rescaling(1 / 100) after the Reshape and "
        "Rescaling(100.0) after the last Dense(1); an LSTM's outputs stay near -1..1, and "
        "without the scaling the forecasts cannot reach values around 50 in 10 epochs.",
    )
