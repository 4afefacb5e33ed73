"""Week 9 grader, part 1: the structure of the three forecasters (exercises 9.1, 9.2, 9.4).

Every builder is called twice, with two different window sizes drawn at each grading
(``fresh_rng``) from 8 to 60 values, so a size written into the model instead of taken from
``window_size`` fails. The worker returns each model's
layers, shapes and compile settings; nothing is trained here. Exact answers, no thresholds:

* input ``(None, window_size)`` (the grader feeds windows as rows of values) and output
  ``(None, 1)`` (one forecast per window);
* a recurrent layer (LSTM, GRU or SimpleRNN, bare or in ``Bidirectional``) in 9.2, a
  ``Conv1D`` and a recurrent layer in 9.4;
* no ``Lambda`` layer, nor anything else the grader cannot rebuild from the config;
* the loss is the mean squared error or the Huber loss, however it is written;
* the arguments the exercises name, read from the configs the grader rebuilds the models
  from: the dense forecaster's ReLU hidden layers (without them it is a linear function of
  the window, and can still pass the error bars of part 2), the recurrent forecaster's
  Rescaling by 1/100 and by 100, and the sunspot forecaster's ReLUs and scales (its
  convolution's padding is not read: causal padding written by hand is as right).

Equivalent mutants:
    build_dense_forecaster:default-argument:momentum - SGD without momentum=0.9: the module
        docstring leaves the optimizer to the student (a right answer trains with Adam), so
        no check reads it; part 2's error bar judges the trained forecaster, and SGD
        without momentum still meets it (at seed 3: MAE 5.63, 94 % of the naive forecast's).
    build_recurrent_forecaster:default-argument:learning_rate - Adam's default learning
        rate is 1e-3, the rate the exercise names: the same optimizer.
    build_sunspot_forecaster:default-argument:learning_rate - the same, for the sunspot
        forecaster.
    build_sunspot_forecaster:default-argument:padding - Conv1D(32, 5) with padding "valid":
        the forecast comes from the LSTM's state after the whole window, and a "valid"
        convolution sees the same past values (26 outputs instead of 30, without the zeros
        causal padding adds in front) and nothing after the window, so no future value leaks
        into the forecast. The padding is not read (see above), and part 4's error bar
        judges the forecasts.
    build_sunspot_forecaster:swap-string:causal->valid - the same, written padding="valid".
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pytest

from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import check_layer_arguments, check_loss, fail, fresh_rng

from . import forecasting

pytestmark = pytest.mark.visibility("visible")


BUILDERS = ("build_dense_forecaster", "build_recurrent_forecaster", "build_sunspot_forecaster")
SUNSPOT_HINT = (
    "Reshape((window_size, 1)), Rescaling(1 / 100), Conv1D(32, 5, padding='causal', "
    "activation='relu'), LSTM(32), Dense(16, activation='relu'), Dense(1), Rescaling(100.0)."
)


#: A builder's models for the two drawn window sizes: (window size, call, model).
Models = Callable[[str], list[tuple[int, str, ModelReport]]]


@pytest.fixture(scope="module")
def models(submission: Submission) -> Models:
    """Each builder's two models, built in the worker on first use."""
    rng = fresh_rng(submission, "forecaster window sizes")
    sizes = [int(size) for size in rng.choice(np.arange(8, 61), 2, replace=False)]

    @functools.cache
    def build(builder: str) -> list[tuple[int, str, ModelReport]]:
        return [(size, f"{builder}({size})", submission.model(builder, size)) for size in sizes]

    return build


def _require_layers(report: ModelReport, call: str, needed: dict[str, set[str]], hint: str) -> None:
    kinds = [layer.kind for layer in report.layers]
    names = {kind.removeprefix("Bidirectional(").removesuffix(")") for kind in kinds}
    missing = [what for what, classes in needed.items() if not names & classes]
    if missing:
        raise fail(
            f"the layers of {call}",
            expected="to include " + " and ".join(missing),
            received=" -> ".join(kinds) or "no layers",
            hint=hint,
        )


@pytest.mark.points(1)
def test_dense_forecaster_shapes(models: Models) -> None:
    """build_dense_forecaster maps a window of values to one forecast"""
    for size, call, report in models("build_dense_forecaster"):
        forecasting.check_shapes(report, window_size=size, call=call)


@pytest.mark.points(1)
def test_recurrent_forecaster_shapes(models: Models) -> None:
    """build_recurrent_forecaster reshapes the window into steps for a recurrent layer"""
    recurrent = {"a recurrent layer (LSTM, GRU or SimpleRNN)": set(forecasting.RECURRENT_LAYERS)}
    for size, call, report in models("build_recurrent_forecaster"):
        hint = "keras.layers.Reshape((window_size, 1)) then keras.layers.LSTM(32)."
        _require_layers(report, call, recurrent, hint)
        forecasting.check_shapes(report, window_size=size, call=call)


def _has_lambda(report: ModelReport) -> bool:
    return any(layer.class_name == "Lambda" for layer in report.layers)


@pytest.mark.points(1)
def test_dense_forecaster_layers(models: Models) -> None:
    """build_dense_forecaster's layers are Dense(10, relu), Dense(10, relu), Dense(1)

    Self-reported: the layers' configs, as the worker describes them (the same configs the
    grader rebuilds models from where it evaluates them)."""
    named = [
        {"units": 10, "activation": "relu"},
        {"units": 10, "activation": "relu"},
        {"units": 1, "activation": "linear"},
    ]
    for _, call, report in models("build_dense_forecaster"):
        check_layer_arguments(
            report,
            "Dense",
            named,
            what=f"the model from {call}",
            hint='Dense(10, activation="relu"), Dense(10, activation="relu"), Dense(1): '
            "without the ReLU the network is a linear function of the window.",
        )


@pytest.mark.points(1)
def test_recurrent_forecaster_scales_its_values(models: Models) -> None:
    """build_recurrent_forecaster scales by 1/100 on the way in and by 100 on the way out

    Self-reported: the layers' configs, as the worker describes them."""
    for _, call, report in models("build_recurrent_forecaster"):
        if _has_lambda(report):
            continue  # scaling in a Lambda layer: the check for Lambda layers names that
        check_layer_arguments(
            report,
            "Rescaling",
            [{"scale": 1 / 100}, {"scale": 100.0}],
            what=f"the model from {call}",
            hint="Rescaling(1 / 100) after the Reshape and Rescaling(100.0) after the last "
            "Dense layer keep the LSTM's inputs near -1..1.",
        )


@pytest.mark.points(1)
def test_sunspot_forecaster_shapes(models: Models) -> None:
    """build_sunspot_forecaster has a Conv1D and a recurrent layer, one forecast per window"""
    needed = {
        "a Conv1D layer": {"Conv1D"},
        "a recurrent layer (LSTM, GRU or SimpleRNN)": set(forecasting.RECURRENT_LAYERS),
    }
    for size, call, report in models("build_sunspot_forecaster"):
        _require_layers(report, call, needed, SUNSPOT_HINT)
        forecasting.check_shapes(report, window_size=size, call=call)


@pytest.mark.points(1)
def test_sunspot_forecaster_activations_and_scales(models: Models) -> None:
    """the sunspot forecaster's Conv1D and Dense(16) apply ReLU; it scales by 1/100 and 100

    Self-reported: the layers' configs, as the worker describes them."""
    named: dict[str, list[dict[str, object]]] = {
        "Conv1D": [{"activation": "relu"}],
        "Dense": [{"units": 16, "activation": "relu"}, {"units": 1, "activation": "linear"}],
        "Rescaling": [{"scale": 1 / 100}, {"scale": 100.0}],
    }
    for _, call, report in models("build_sunspot_forecaster"):
        if _has_lambda(report):
            continue  # the check for Lambda layers names that
        for layer_class, expected in named.items():
            what = f"the model from {call}"
            check_layer_arguments(report, layer_class, expected, what=what, hint=SUNSPOT_HINT)


@pytest.mark.points(1)
def test_forecasters_use_no_lambda_layers(models: Models) -> None:
    """the forecasters use standard layers only, no Lambda, so they survive a rebuild"""
    for builder in BUILDERS:
        _, call, report = models(builder)[0]
        forecasting.check_standard_layers(report, call=call)


@pytest.mark.points(1)
def test_forecasters_use_mse_or_huber_loss(models: Models) -> None:
    """each forecaster is compiled with the mean squared error or the Huber loss"""
    for builder in BUILDERS:
        _, call, report = models(builder)[0]
        check_loss(
            report,
            loss=("mean_squared_error", "huber"),
            what=f"the model from {call}",
            compile_hint="compile it with loss='mse' or keras.losses.Huber(): a forecaster "
            "predicts a number, and its loss measures how far the forecast falls from the "
            "next value, squared (MSE) or squared near the target and linear far from it "
            "(Huber).",
        )
