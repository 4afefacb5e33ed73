"""Week 9 grader, part 3: ``model_forecast`` (exercise 9.3).

The model is the grader's, so these checks do not depend on exercises 9.1, 9.2 or 9.4: a
small dense forecaster built here (input ``window_size`` values, ``Dense(16, relu)``,
``Dense(1)``), rebuilt in the worker from its config and weights and passed to the
submission's ``model_forecast`` with a generated float32 series. Drawn at each grading
(``fresh_rng``): ``window_size`` from 4 to 16; ``batch_size`` from 8 to 48; the number of
windows, 60 to 200 and never a multiple of ``batch_size`` (so the last batch is short); the
series, a level of 0 to 100 plus a sine of amplitude 5 to 40 and period 5 to 20 steps plus
Gaussian noise of standard deviation 1 to 5; and the weights, normal with standard
deviation 0.3.

* the result is one value per window, a 1-D array of ``len(series) - window_size + 1``
  values;
* value ``i`` is this process's ``model.predict`` of window ``i`` (``series[i:i +
  window_size]``), within 1e-4 relative (float round-off between two processes); the
  values are compared as far as both lengths go, so a missing last window costs only the
  first check;
* the model runs on batches: the worker counts the calls of the model's ``predict`` and
  ``predict_on_batch`` and the runs of its ``call`` (one per eager call ``model(x)``, one
  per trace inside ``predict``; see ``course.probes.time_series``). A batched forecast
  counts 2 or 3 (one ``predict``, one or two traces); a loop over the batches at most
  one per batch and a trace or two; a loop over the windows at least 60. The check allows
  the number of batches plus 4. Self-reported: the counts are made in the worker, where
  the submission runs, so this check is worth 1 point.

Exact answers, no thresholds.

Equivalent mutants:
    model_forecast:drop-step:prefetch - prefetching overlaps preparing the next batch with
        the model's work on this one: the same forecasts, in the same order, a little later.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course.grading.reports import expect, expect_array
from course.grading.submission import Submission, model_spec
from course.testing import check_array, fail, fresh_rng

from . import forecasting

pytestmark = pytest.mark.visibility("visible")


FUNCTION = "model_forecast"
RELATIVE_TOLERANCE = 1e-4


class Forecast:
    """The grader's model and series, and the submission's forecast of them (asked once)."""

    def __init__(self, submission: Submission) -> None:
        rng = fresh_rng(submission, FUNCTION)
        self.window_size = int(rng.integers(4, 17))
        self.batch_size = int(rng.integers(8, 49))
        count = int(rng.choice([n for n in range(60, 201) if n % self.batch_size]))
        steps = count + self.window_size - 1
        time = np.arange(steps)
        level, amplitude = rng.uniform(0.0, 100.0), rng.uniform(5.0, 40.0)
        period, noise = rng.uniform(5.0, 20.0), rng.uniform(1.0, 5.0)
        values = level + amplitude * np.sin(2 * np.pi * time / period)
        self.series = (values + rng.normal(0.0, noise, steps)).astype("float32")
        layers = [keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)]
        self.model = keras.Sequential([keras.Input(shape=(self.window_size,)), *layers])
        weights = [rng.normal(0, 0.3, w.shape).astype("float32") for w in self.model.weights]
        self.model.set_weights(weights)
        self.windows = forecasting.windows(self.series, self.window_size)
        self.expected = np.asarray(self.model.predict(self.windows, verbose=0))[:, 0]
        self.call = (
            f"{FUNCTION}(model, series of {steps} values, {self.window_size}, {self.batch_size})"
        )
        reply = submission.probe(
            "time_series.forecast",
            action=self.call,
            function=FUNCTION,
            model=model_spec(self.model.to_json(), weights),
            series=self.series,
            window_size=self.window_size,
            batch_size=self.batch_size,
        )
        self.value = expect(reply, dict, what="the forecast report").get("value")
        runs = expect(reply.get("runs"), dict, what="the model's run counts")
        self.runs = {
            str(name): int(expect(count, int, what="a run count")) for name, count in runs.items()
        }


@pytest.fixture(scope="module")
def forecast(submission: Submission) -> Forecast:
    return Forecast(submission)


@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_one_forecast_per_window(forecast: Forecast) -> None:
    """model_forecast returns one value per window, len(series) - window_size + 1"""
    count, call = len(forecast.windows), forecast.call
    check_array(
        forecast.value,
        f"the value returned by {call}",
        shape=(count,),
        kind="f",
        hint=f"the windows start at 0, 1, ..., len(series) - window_size ({count} windows: "
        "the last one ends with the series); cut them with window(window_size, shift=1, "
        "drop_remainder=True) and return model.predict(...)[:, 0], a 1-D array.",
    )


@pytest.mark.points(2)
@pytest.mark.time_limit(120)
def test_forecasts_are_the_models_outputs(forecast: Forecast) -> None:
    """value i is the model's forecast from the window series[i:i + window_size]"""
    call, window_size = forecast.call, forecast.window_size
    array = check_array(
        forecast.value,
        f"the value returned by {call}",
        hint="return the forecasts as an array: model.predict(...)[:, 0].",
    )
    # A (n, 1) array counts as n values.
    values = expect_array(array, what="the forecast", kinds="fiu").reshape(-1)
    shared = min(len(values), len(forecast.expected))
    if shared == 0:
        raise fail(f"the forecasts of {call}", expected="values", received="none")
    expected = forecast.expected[:shared]
    close = np.isclose(values[:shared], expected, rtol=RELATIVE_TOLERANCE, atol=1e-5)
    if not close.all():
        index = int(np.argmax(~close))
        shifted = shared > 1 and np.allclose(
            values[: shared - 1], forecast.expected[1:shared], rtol=RELATIVE_TOLERANCE, atol=1e-5
        )
        raise fail(
            f"value {index} of {call}",
            expected=f"{expected[index]:.5g}, the model's output for series[{index}:"
            f"{index + window_size}]",
            received=f"{values[index]:.5g}"
            + (" (each value is the forecast of the next window)" if shifted else ""),
            hint="feed the windows in order, without shuffling, each of window_size "
            "consecutive values starting at 0, 1, 2, ...; no labels are split off here.",
        )


@pytest.mark.points(1)
@pytest.mark.time_limit(120)
def test_the_model_runs_on_batches(forecast: Forecast) -> None:
    """model_forecast runs the model on batches of windows, not once per window

    Self-reported: the worker counts the model's runs, in the submission's own process."""
    runs = sum(forecast.runs.values())
    batches = -(-len(forecast.windows) // forecast.batch_size)
    allowed = batches + 4
    if runs > allowed:
        detail = ", ".join(f"{name} {count}" for name, count in forecast.runs.items() if count)
        raise fail(
            f"the number of times {forecast.call} ran the model for {len(forecast.windows)} "
            "windows",
            expected=f"at most {allowed} (one model.predict over {batches} batches)",
            received=f"{runs} ({detail})",
            hint="no Python loop over the windows: build a tf.data pipeline of the windows, "
            "batch it by batch_size and call model.predict once on it.",
        )
