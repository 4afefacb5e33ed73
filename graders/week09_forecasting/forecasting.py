"""The week 9 graders' series, windows and model helpers.

The graders never import the submission. They make their own generated series (week 8's
recipe, :func:`generated_series`: fixed, since part 2's thresholds were measured on it), cut
the windows themselves (:func:`windows`), train the submission's models in its worker on the
training windows only (:func:`train`), then rebuild each trained model here from its config
and weights and forecast the validation period in this process (:func:`forecast`): the
validation values never reach the submission.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from course.grading.rebuild import NotRebuildable, check_config
from course.grading.reports import LayerReport, ModelReport, TrainingReport
from course.grading.submission import Submission
from course.testing import fail, format_shape, rebuilt_model

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
SPLIT_TIME = 1000
WINDOW_SIZE = 20
#: Losses the forecasters may use, as ``ModelReport.loss_name`` spells them.
LOSSES = frozenset({"mse", "mean_squared_error", "huber", "huber_loss"})
RECURRENT_LAYERS = frozenset({"LSTM", "GRU", "SimpleRNN"})
LAMBDA_WHY = (
    "a Lambda layer holds Python code, which does not survive saving and loading the model, "
    "and the grader rebuilds your model from its config: use "
    "keras.layers.Reshape((window_size, 1)) instead of Lambda(tf.expand_dims(...)) and "
    "keras.layers.Rescaling(100.0) instead of Lambda(lambda x: x * 100.0)"
)


def generated_series() -> np.ndarray:
    """Week 8's series with :data:`SERIES_SETTINGS`: 1,461 float32 values."""
    time = np.arange(STEPS, dtype="float64")
    settings = SERIES_SETTINGS
    season_time = (time % settings["period"]) / settings["period"]
    pattern = np.where(
        season_time < 0.4, np.cos(season_time * 2 * np.pi), 1 / np.exp(3 * season_time)
    )
    noise = np.random.RandomState(settings["seed"]).randn(STEPS) * settings["noise_level"]
    values = settings["baseline"] + settings["slope"] * time + settings["amplitude"] * pattern
    series: np.ndarray = values + noise
    return series.astype("float32")


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


def layer_kind(layer: LayerReport) -> str:
    """``LSTM``, or ``Bidirectional(LSTM)`` for a wrapper, from the layer's config."""
    if layer.class_name == "Bidirectional":
        inner = (layer.config or {}).get("layer")
        name = inner.get("class_name") if isinstance(inner, dict) else None
        return f"Bidirectional({name or '?'})"
    return layer.class_name


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
    """Input ``(None, window_size)``, output ``(None, 1)``."""
    if report.input_shape != (None, window_size):
        raise fail(
            f"the input shape of {call}",
            expected=format_shape((None, window_size)),
            received=format_shape(report.input_shape),
            hint="start with keras.Input(shape=(window_size,)): one row of window_size "
            "values per window; a recurrent layer then needs "
            "keras.layers.Reshape((window_size, 1)).",
        )
    if report.output_shape != (None, 1):
        raise fail(
            f"the output shape of {call}",
            expected="(None, 1): one forecast per window",
            received=format_shape(report.output_shape),
            hint="end with keras.layers.Dense(1) (and a Rescaling); the last recurrent "
            "layer returns only its last output (return_sequences=False).",
        )


def train(
    submission: Submission,
    builder: str,
    window_size: int,
    *,
    x: np.ndarray,
    y: np.ndarray,
    epochs: int,
    batch_size: int,
) -> TrainingReport:
    """``builder(window_size)`` trained in the worker: ``fit(x, y, epochs, batch_size,
    shuffle=True)``; a structure that cannot be judged fails before any training."""
    call = f"{builder}({window_size})"
    report = submission.model(builder, window_size)
    check_standard_layers(report, call=call)
    check_shapes(report, window_size=window_size, call=call)
    return submission.fit(
        builder,
        x,
        y,
        args=[window_size],
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
    )


def forecast(report: ModelReport, x: np.ndarray, *, call: str) -> np.ndarray:
    """The trained model rebuilt here, run on the windows ``x``: one value per window."""
    model = rebuilt_model(
        report,
        what=f"the trained model from {call}",
        hint="build the model from keras.layers only, as the docstring lists them.",
    )
    outputs = np.asarray(model.predict(x, batch_size=512, verbose=0), dtype="float64")
    if outputs.shape != (len(x), 1):
        raise fail(
            f"the output of the trained {call} for {len(x)} windows",
            expected=f"shape ({len(x)}, 1)",
            received=outputs.shape,
        )
    return outputs[:, 0]


def errors(actual: np.ndarray, forecast: np.ndarray) -> tuple[float, float]:
    """(MSE, MAE) of ``forecast`` against ``actual``, in float64."""
    difference = np.asarray(forecast, "float64") - np.asarray(actual, "float64")
    return float(np.mean(difference**2)), float(np.mean(np.abs(difference)))


def history_tail(history: Mapping[str, Sequence[float]]) -> str:
    """The training loss of the first and last epochs, for messages."""
    losses = list(history.get("loss") or ())
    if not losses:
        return "no training loss logged"
    return f"training loss {losses[0]:.4g} in the first epoch, {losses[-1]:.4g} in the last"
