"""The week 9 graders' series, windows and model helpers.

The graders never import the submission. They make their own generated series (week 8's
recipe, :func:`generated_series`: fixed, since part 2's thresholds were measured on it), cut
the windows themselves (:func:`windows`), train the submission's models in its worker on the
training windows only, then rebuild each trained model here from its config and weights
and forecast the validation period in this process (:func:`check_beats_naive`): the
validation values never reach the submission.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from course.datasets.synthetic import seasonal_series
from course.grading.rebuild import NotRebuildable, check_config
from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import (
    check_array,
    check_input_shape,
    check_output_shape,
    fail,
    measure,
    note,
    predictions_of,
    show_curve,
    show_history,
)

#: The grader's generated series: the course's settings, another noise seed.
SERIES_SETTINGS: dict[str, Any] = {
    "baseline": 10.0,
    "slope": 0.05,
    "period": 365,
    "amplitude": 40.0,
    "noise_level": 5.0,
    "seed": 51,
}
STEPS = 4 * 365 + 1
RECURRENT_LAYERS = frozenset({"LSTM", "GRU", "SimpleRNN"})
LAMBDA_WHY = (
    "a Lambda layer holds Python code, which does not survive saving and loading the model, "
    "and the grader rebuilds your model from its config: use "
    "keras.layers.Reshape((window_size, 1)) instead of Lambda(tf.expand_dims(...)) and "
    "keras.layers.Rescaling(100.0) instead of Lambda(lambda x: x * 100.0)"
)


def generated_series() -> np.ndarray:
    """Week 8's series with :data:`SERIES_SETTINGS`: 1,461 float32 values."""
    return seasonal_series(np.arange(STEPS, dtype="float64"), **SERIES_SETTINGS)


def windows(series: np.ndarray, window_size: int) -> np.ndarray:
    """Every window ``series[i:i + window_size]``, one per row (``len - window_size + 1``)."""
    return np.lib.stride_tricks.sliding_window_view(series, window_size).copy()


def split(
    series: np.ndarray, split_time: int, window_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_valid, y_valid)``: the training windows and the values
    after them, then every window whose next value is in the validation period."""
    x_train = windows(series[: split_time - 1], window_size)
    y_train = series[window_size:split_time]
    x_valid = windows(series[split_time - window_size : -1], window_size)
    return x_train, y_train, x_valid, series[split_time:]


def check_standard_layers(report: ModelReport, *, call: str) -> None:
    """No Lambda layer, nothing the grader cannot rebuild; else a failed check."""
    lambdas = [layer.name for layer in report.layers if layer.class_name == "Lambda"]
    if lambdas:
        raise fail(
            f"the layers of {call}",
            expected="standard Keras layers, without Lambda",
            received=f"Lambda layers ({', '.join(lambdas)})",
            hint=LAMBDA_WHY + ".",
        )
    try:
        if report.config_json is None:
            raise NotRebuildable("the model has no config (a subclassed model?)")
        config = json.loads(report.config_json)
        config.pop("compile_config", None)  # optimizers and losses are not rebuilt
        check_config(config)
    except NotRebuildable as error:
        raise fail(
            f"the layers of {call}",
            expected="a Sequential model of standard Keras layers the grader can rebuild",
            received=str(error),
            hint="build the model from keras.layers only, as the docstring lists them.",
        ) from None


def check_shapes(report: ModelReport, *, window_size: int, call: str) -> None:
    """Input ``(None, window_size)``, output ``(None, 1)``: one forecast per window."""
    check_input_shape(
        report,
        (None, window_size),
        hint=f"start {call} with keras.Input(shape=(window_size,)): one row of window_size "
        "values per window; a recurrent layer then needs keras.layers.Reshape((window_size, "
        "1)).",
    )
    check_output_shape(
        report,
        (None, 1),
        hint=f"{call} forecasts one value per window: end with keras.layers.Dense(1) (and a "
        "Rescaling); the last recurrent layer returns only its last output "
        "(return_sequences=False).",
    )


def check_beats_naive(
    submission: Submission,
    builder: str,
    split: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    *,
    epochs: int,
    fraction: float,
    validation: str,
    hint: str,
) -> None:
    """``builder(window_size)``, trained in the worker on the training windows of
    ``split`` with ``fit(x, y, epochs, batch_size=32, shuffle=True)``, then rebuilt here,
    forecasts the ``validation`` steps with an MAE at most ``fraction`` of the naive
    forecast's (each step forecast by the step before). A structure that cannot be judged
    fails before any training."""
    x_train, y_train, x_valid, y_valid = split
    window_size = x_train.shape[1]
    call = f"{builder}({window_size})"
    report = submission.model(builder, window_size)
    check_standard_layers(report, call=call)
    check_shapes(report, window_size=window_size, call=call)
    trained = submission.fit(
        builder, x_train, y_train, args=[window_size], epochs=epochs, batch_size=32, shuffle=True
    )
    outputs = predictions_of(
        trained.model, x_valid, what=f"the trained model from {call}", batch_size=512
    )
    what = f"the output of the trained {call} for {len(x_valid)} windows"
    forecast = check_array(outputs, what, shape=(len(x_valid), 1))[:, 0].astype("float64")
    mse, mae = errors(y_valid, forecast)
    _, naive_mae = errors(y_valid, x_valid[:, -1])
    show_history(trained.history, title=f"Training curves of {call}")
    show_curve(
        {"actual": y_valid, call: forecast},
        title=f"{call}'s forecasts on {validation}",
        x_label="step of the validation period",
        y_label="value",
    )
    measure("validation MSE", mse)
    measure("validation MAE", mae)
    ratio = measure("MAE / naive MAE", mae / naive_mae)
    bar = fraction * naive_mae
    if not mae <= bar:
        losses = trained.history.get("loss") or (float("nan"),)
        raise fail(
            f"the validation MAE of {call}, trained {epochs} epochs on the {len(y_train):,} "
            f"windows of the training period, on {validation}",
            expected=f"at most {bar:.2f} ({fraction:.0%} of the naive forecast's "
            f"{naive_mae:.2f}, which repeats the last value)",
            received=f"{mae:.2f}, {ratio:.0%} of the naive forecast's (MSE {mse:.2f}; training "
            f"loss {losses[0]:.4g} in the first epoch, {losses[-1]:.4g} in the last)",
            hint=hint,
        )
    note(
        f"{call} on {validation}: MAE {mae:.2f}, {ratio:.0%} of the naive forecast's "
        f"{naive_mae:.2f} (needed: at most {bar:.2f}); MSE {mse:.2f}"
    )


def errors(actual: np.ndarray, forecast: np.ndarray) -> tuple[float, float]:
    """(MSE, MAE) of ``forecast`` against ``actual``, in float64."""
    difference = np.asarray(forecast, "float64") - np.asarray(actual, "float64")
    return float(np.mean(difference**2)), float(np.mean(np.abs(difference)))
