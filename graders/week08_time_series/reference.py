"""Shared by the week 8 graders: the grader's own copy of the series recipe and baselines.

The graders never import the submission, so they carry the contract of every exercise here
(numpy only, float64 arithmetic) and compare the submission's answers with it. Each check
builds its inputs with these functions, so a mistake in one exercise cannot spoil the
checks of another.

The grader's series (``grader_series``) is drawn at each grading (``fresh_rng``) with week
8's recipe: a period of 100 to 365 steps, 3 to 4 periods and a day long (300 to 1,461
values), baseline 0 to 20, slope 0.01 to 0.1, amplitude 10 to 60, noise level 2 to 8 and a
noise seed below 2**31; the validation period starts between 2 periods in and half a period
before the end, so that every baseline of part 3 has a past to look at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from course.datasets.synthetic import seasonal_series
from course.grading.submission import Submission
from course.testing import check_array, fail, note, show_curve


class SeriesSettings(TypedDict):
    """The keyword arguments of exercise 8.2's ``generate_series`` (and ``series``)."""

    baseline: float
    slope: float
    period: int
    amplitude: float
    noise_level: float
    seed: int


def mse(actual: np.ndarray, forecast: np.ndarray) -> float:
    return float(np.mean((np.asarray(forecast, "float64") - np.asarray(actual, "float64")) ** 2))


def mae(actual: np.ndarray, forecast: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(forecast, "float64") - np.asarray(actual, "float64"))))


def moving_average(series: np.ndarray, window_size: int) -> np.ndarray:
    """Value ``i``: the mean of ``series[i:i + window_size]`` (``len - window_size`` values)."""
    values = np.asarray(series, dtype="float64")
    return np.array([values[i : i + window_size].mean() for i in range(len(values) - window_size)])


def naive(series: np.ndarray, split_time: int) -> np.ndarray:
    return np.asarray(series[split_time - 1 : -1], dtype="float64")


def differenced(series: np.ndarray, split_time: int, period: int, window_size: int) -> np.ndarray:
    """The smoothed differenced forecast with a past of one value: series[t - period]."""
    return smoothed_differenced(series, split_time, period, window_size, 1)


def smoothed_differenced(
    series: np.ndarray, split_time: int, period: int, window_size: int, smoothing: int
) -> np.ndarray:
    values = np.asarray(series, dtype="float64")
    differences = values[period:] - values[:-period]
    forecasts = []
    for t in range(split_time, len(values)):
        start = t - period - smoothing // 2
        past = values[start : start + smoothing].mean()
        forecasts.append(past + differences[t - period - window_size : t - period].mean())
    return np.array(forecasts)


def windows(series: np.ndarray, window_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every window ``series[i:i + window_size]`` and its label, in order."""
    count = len(series) - window_size
    features = np.stack([series[i : i + window_size] for i in range(count)])
    return features, np.asarray(series[window_size:])


@dataclass(frozen=True)
class GraderSeries:
    """A series the grader generated, the settings it was made with, and its split."""

    values: np.ndarray
    settings: SeriesSettings
    split_time: int

    @property
    def period(self) -> int:
        return self.settings["period"]

    def describe(self) -> str:
        """For messages: how the series was made."""
        settings = ", ".join(f"{name}={value:g}" for name, value in self.settings.items())
        return f"the grader's series of {len(self.values)} values ({settings})"


def draw_series(rng: np.random.Generator) -> GraderSeries:
    """Week 8's recipe with settings drawn from ``rng`` (ranges in the module docstring)."""
    period = int(rng.integers(100, 366))
    steps = int(rng.integers(3 * period, 4 * period + 2))
    settings: SeriesSettings = {
        "baseline": round(float(rng.uniform(0.0, 20.0)), 2),
        "slope": round(float(rng.uniform(0.01, 0.1)), 4),
        "period": period,
        "amplitude": round(float(rng.uniform(10.0, 60.0)), 2),
        "noise_level": round(float(rng.uniform(2.0, 8.0)), 2),
        "seed": int(rng.integers(2**31)),
    }
    values = seasonal_series(np.arange(steps, dtype="float32"), **settings)
    split_time = int(rng.integers(2 * period, steps - period // 2))
    return GraderSeries(values, settings, split_time)


def shift_diagnosis(received: np.ndarray, expected: np.ndarray) -> str:
    """ " (each value is one step early/late)" when ``received`` is ``expected`` shifted by
    one step, else ""."""
    if len(received) != len(expected) or len(expected) < 3:
        return ""
    if np.allclose(received[:-1], expected[1:], atol=1e-3):
        return (
            "; each of your values is the one expected for the next step: your forecast "
            "uses the value it should predict"
        )
    if np.allclose(received[1:], expected[:-1], atol=1e-3):
        return "; each of your values is the one expected for the step before: one step late"
    return ""


def check_forecast(
    submission: Submission,
    function: str,
    arguments: tuple[int, ...],
    grader_series: GraderSeries,
    *,
    name: str,
    hint: str,
) -> None:
    """``function(series, *arguments)`` on the grader's series must equal this module's
    forecast ``expected``: the shape exactly, the values within 1e-3. The forecast ends with
    the series; the message quotes the mean absolute error on the validation period, to
    2 decimals, and a passing check notes the MSE and MAE there of the forecast ``name``."""
    series, split_time = grader_series.values, grader_series.split_time
    expected = FORECASTS[function](series, *arguments)
    call = f"{function}(series, {', '.join(map(str, arguments))}) on {grader_series.describe()}"
    value = submission.call(function, series, *arguments)
    forecast = check_array(
        value, f"the forecast {call}", shape=expected.shape, kind="fiu", hint=hint
    )
    # The step each value forecasts, from ``first`` on; the validation period from split_time.
    first = len(series) - len(expected)
    validation = slice(split_time - first, None)
    actual, wanted, got = series[first:][validation], expected[validation], forecast[validation]
    show_curve(
        {"actual": actual, f"expected {function}": wanted, f"your {function}": got},
        title=f"{function} on the validation period",
        x_label="step of the validation period",
        y_label="value",
    )
    close = np.isclose(forecast, expected, atol=1e-3, rtol=1e-6)
    if not close.all():
        wrong = int(np.argmax(~close))
        raise fail(
            f"the mean absolute error of {call} on the validation period",
            expected=f"{mae(actual, wanted):.2f}",
            received=f"{mae(actual, got):.2f} (value {wrong} "
            f"should be {expected[wrong]:.4f}, received {float(forecast[wrong]):.4f}"
            f"{shift_diagnosis(forecast, expected)})",
            hint=hint,
        )
    note(f"{name} on the validation period: MSE {mse(actual, got):.2f}, MAE {mae(actual, got):.2f}")


#: The grader's copy of each forecast of part 3, by the exercise's function name.
FORECASTS: dict[str, Callable[..., np.ndarray]] = {
    "naive_forecast": naive,
    "moving_average_forecast": moving_average,
    "differenced_forecast": differenced,
    "smoothed_differenced_forecast": smoothed_differenced,
}
