"""Shared by the week 8 graders: the grader's own copy of the series recipe and baselines.

The graders never import the submission, so they carry the contract of every exercise here
(numpy only, float64 arithmetic) and compare the submission's answers with it. Each check
builds its inputs with these functions, so a mistake in one exercise cannot spoil the
checks of another.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.testing import check_array, fail

#: The grader's series: the course's settings with another noise seed, so the course's
#: published error figures (naive MAE 5.94, ...) do not carry over by accident.
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


class Reference:
    """The contract of exercises 8.1-8.8, as the graders compute it."""

    @staticmethod
    def seasonal_pattern(season_time: np.ndarray) -> np.ndarray:
        return np.where(
            season_time < 0.4, np.cos(season_time * 2 * np.pi), 1 / np.exp(3 * season_time)
        )

    @staticmethod
    def seasonality(
        time: np.ndarray, period: int, amplitude: float = 1.0, phase: int = 0
    ) -> np.ndarray:
        return amplitude * Reference.seasonal_pattern(((time + phase) % period) / period)

    @staticmethod
    def noise(time: np.ndarray, noise_level: float, seed: int) -> np.ndarray:
        return np.random.RandomState(seed).randn(len(time)) * noise_level

    @staticmethod
    def series(
        time: np.ndarray,
        *,
        baseline: float,
        slope: float,
        period: int,
        amplitude: float,
        noise_level: float,
        seed: int,
    ) -> np.ndarray:
        """Exercise 8.2's series, float32."""
        values = (
            baseline
            + slope * time
            + Reference.seasonality(time, period, amplitude)
            + Reference.noise(time, noise_level, seed)
        )
        return values.astype("float32")

    @staticmethod
    def mse(actual: np.ndarray, forecast: np.ndarray) -> float:
        return float(
            np.mean((np.asarray(forecast, "float64") - np.asarray(actual, "float64")) ** 2)
        )

    @staticmethod
    def mae(actual: np.ndarray, forecast: np.ndarray) -> float:
        return float(
            np.mean(np.abs(np.asarray(forecast, "float64") - np.asarray(actual, "float64")))
        )

    @staticmethod
    def moving_average(series: np.ndarray, window_size: int) -> np.ndarray:
        """Value ``i``: the mean of ``series[i:i + window_size]`` (``len - window_size`` values)."""
        values = np.asarray(series, dtype="float64")
        return np.array(
            [values[i : i + window_size].mean() for i in range(len(values) - window_size)]
        )

    @staticmethod
    def naive(series: np.ndarray, split_time: int) -> np.ndarray:
        return np.asarray(series[split_time - 1 : -1], dtype="float64")

    @staticmethod
    def differenced(
        series: np.ndarray, split_time: int, period: int, window_size: int
    ) -> np.ndarray:
        values = np.asarray(series, dtype="float64")
        differences = values[period:] - values[:-period]
        steps = range(split_time, len(values))
        return np.array(
            [values[t - period] + differences[t - period - window_size : t - period].mean()
             for t in steps]
        )  # fmt: skip

    @staticmethod
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

    @staticmethod
    def windows(series: np.ndarray, window_size: int) -> tuple[np.ndarray, np.ndarray]:
        """Every window ``series[i:i + window_size]`` and its label, in order."""
        count = len(series) - window_size
        features = np.stack([series[i : i + window_size] for i in range(count)])
        return features, np.asarray(series[window_size:])


@pytest.fixture(scope="session")
def reference() -> type[Reference]:
    """The grader's copy of the contract (``reference.series(...)``, ``reference.mae(...)``)."""
    return Reference


@pytest.fixture(scope="session")
def grader_series() -> np.ndarray:
    """The grader's generated series: 1,461 float32 values, validation from step 1000."""
    return Reference.series(np.arange(STEPS, dtype="float32"), **SERIES_SETTINGS)


class Checks:
    """Comparisons shared by the forecast checks, with their student-facing messages."""

    @staticmethod
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

    @staticmethod
    def check_forecast(
        value: Any,
        expected: np.ndarray,
        *,
        actual: np.ndarray,
        validation: slice,
        call: str,
        hint: str,
    ) -> np.ndarray:
        """The forecast ``value`` of ``call`` must equal ``expected``: the shape exactly, the
        values within 1e-3. ``actual`` holds the true value of each forecast step; the
        message quotes the mean absolute error of the ``validation`` part, to 2 decimals."""
        forecast = check_array(value, f"the forecast {call}", shape=expected.shape, hint=hint)
        if forecast.dtype.kind not in "fiu":
            raise fail(
                f"the dtype of {call}", expected="floats", received=forecast.dtype, hint=hint
            )
        close = np.isclose(forecast, expected, atol=1e-3, rtol=1e-6)
        if not close.all():
            wrong = int(np.argmax(~close))
            shift = Checks.shift_diagnosis(forecast, expected)
            received_mae = Reference.mae(actual[validation], forecast[validation])
            expected_mae = Reference.mae(actual[validation], expected[validation])
            raise fail(
                f"the mean absolute error of {call} on the validation period",
                expected=f"{expected_mae:.2f}",
                received=f"{received_mae:.2f} (value {wrong} should be "
                f"{expected[wrong]:.4f}, received {float(forecast[wrong]):.4f}{shift})",
                hint=hint,
            )
        return forecast


@pytest.fixture(scope="session")
def checks() -> type[Checks]:
    """``checks.check_forecast(...)``: compare a forecast with the reference's."""
    return Checks
