"""Week 9 grader, part 3: ``model_forecast`` (exercise 9.3).

The model is the grader's, so these checks do not depend on exercises 9.1, 9.2 or 9.4: a
small dense forecaster built here (input 8 values, ``Dense(16, relu)``, ``Dense(1)``) with
weights drawn from a fixed generator, rebuilt in the worker from its config and weights and
passed to the submission's ``model_forecast`` with a generated series of 107 float32 values,
``window_size=8`` and ``batch_size=32``: 100 windows, so 4 batches, the last of 4 windows.

* the result is one value per window, a 1-D array of 100 values;
* value ``i`` is this process's ``model.predict`` of window ``i`` (``series[i:i + 8]``),
  within 1e-4 relative (float round-off between two processes); the values are compared
  as far as both lengths go, so a missing last window costs only the first check;
* the model runs on batches: the worker counts the calls of the model's ``predict`` and
  ``predict_on_batch`` and the runs of its ``call`` (one per eager call ``model(x)``, one
  per trace inside ``predict``; see ``course.probes.time_series``). A batched forecast
  counts 2 or 3 (one ``predict``, one or two traces); a loop over the batches at most
  one per batch and a trace or two; a loop over the windows at least 100. The check allows
  the number of batches plus 4, 8.

Exact answers, no thresholds.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import pytest

from course.grading.reports import expect, expect_array
from course.grading.submission import Submission, model_spec
from course.testing import check_array, fail

FUNCTION = "model_forecast"
WINDOW_SIZE = 8
BATCH_SIZE = 32
STEPS = 107
WEIGHT_SEED = 9
RELATIVE_TOLERANCE = 1e-4
CALL = f"{FUNCTION}(model, series of {STEPS} values, {WINDOW_SIZE}, {BATCH_SIZE})"


class Forecast:
    """The grader's model and series, and the submission's forecast of them (asked once)."""

    def __init__(self, submission: Submission, forecasting: Any) -> None:
        rng = np.random.default_rng(WEIGHT_SEED)
        time = np.arange(STEPS)
        self.series = (50 + 20 * np.sin(time / 9) + rng.normal(0, 3, STEPS)).astype("float32")
        self.model = keras.Sequential(
            [
                keras.Input(shape=(WINDOW_SIZE,)),
                keras.layers.Dense(16, activation="relu"),
                keras.layers.Dense(1),
            ]
        )
        weights = [rng.normal(0, 0.3, w.shape).astype("float32") for w in self.model.weights]
        self.model.set_weights(weights)
        self.windows = forecasting.windows(self.series, WINDOW_SIZE)
        self.expected = np.asarray(self.model.predict(self.windows, verbose=0))[:, 0]
        reply = expect(
            submission.probe(
                "time_series.forecast",
                action=CALL,
                function=FUNCTION,
                model=model_spec(self.model.to_json(), weights),
                series=self.series,
                window_size=WINDOW_SIZE,
                batch_size=BATCH_SIZE,
            ),
            dict,
            what="the forecast report",
        )
        self.value = reply.get("value")
        runs = expect(reply.get("runs"), dict, what="the model's run counts")
        self.runs = {
            str(name): int(expect(count, int, what="a run count")) for name, count in runs.items()
        }

    @property
    def batches(self) -> int:
        return -(-len(self.windows) // BATCH_SIZE)

    def values(self) -> np.ndarray:
        """The returned forecast flattened (a ``(n, 1)`` array counts as ``n`` values)."""
        array = check_array(
            self.value,
            f"the value returned by {CALL}",
            hint="return the forecasts as an array: model.predict(...)[:, 0].",
        )
        return expect_array(array, what="the forecast", kinds="fiu").reshape(-1)


@pytest.fixture(scope="module")
def forecast(submission: Submission, forecasting: Any) -> Forecast:
    return Forecast(submission, forecasting)


@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_one_forecast_per_window(forecast: Forecast) -> None:
    """model_forecast returns one value per window, len(series) - window_size + 1"""
    count = len(forecast.windows)
    array = check_array(
        forecast.value,
        f"the value returned by {CALL}",
        shape=(count,),
        hint=f"the windows start at 0, 1, ..., len(series) - window_size ({count} windows: "
        "the last one ends with the series); cut them with window(window_size, shift=1, "
        "drop_remainder=True) and return model.predict(...)[:, 0], a 1-D array.",
    )
    if array.dtype.kind != "f":
        raise fail(f"the dtype of {CALL}", expected="floats", received=array.dtype)


@pytest.mark.points(2)
@pytest.mark.time_limit(120)
def test_forecasts_are_the_models_outputs(forecast: Forecast) -> None:
    """value i is the model's forecast from the window series[i:i + window_size]"""
    values = forecast.values()
    shared = min(len(values), len(forecast.expected))
    if shared == 0:
        raise fail(f"the forecasts of {CALL}", expected="values", received="none")
    expected = forecast.expected[:shared]
    close = np.isclose(values[:shared], expected, rtol=RELATIVE_TOLERANCE, atol=1e-5)
    if not close.all():
        index = int(np.argmax(~close))
        shifted = shared > 1 and np.allclose(
            values[: shared - 1], forecast.expected[1:shared], rtol=RELATIVE_TOLERANCE, atol=1e-5
        )
        raise fail(
            f"value {index} of {CALL}",
            expected=f"{expected[index]:.5g}, the model's output for series[{index}:"
            f"{index + WINDOW_SIZE}]",
            received=f"{values[index]:.5g}"
            + (" (each value is the forecast of the next window)" if shifted else ""),
            hint="feed the windows in order, without shuffling, each of window_size "
            "consecutive values starting at 0, 1, 2, ...; no labels are split off here.",
        )


@pytest.mark.points(2)
@pytest.mark.time_limit(120)
def test_the_model_runs_on_batches(forecast: Forecast) -> None:
    """model_forecast runs the model on batches of windows, not once per window"""
    runs = sum(forecast.runs.values())
    allowed = forecast.batches + 4
    if runs > allowed:
        detail = ", ".join(f"{name} {count}" for name, count in forecast.runs.items() if count)
        raise fail(
            f"the number of times {CALL} ran the model for {len(forecast.windows)} windows",
            expected=f"at most {allowed} (one model.predict over {forecast.batches} batches)",
            received=f"{runs} ({detail})",
            hint="no Python loop over the windows: build a tf.data pipeline of the windows, "
            "batch it by batch_size and call model.predict once on it.",
        )
