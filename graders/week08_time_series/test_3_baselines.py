"""Week 8 grader, part 3: the baseline forecasts (exercises 8.5-8.8).

Every forecast is asked for on the grader's own generated series (conftest.py: the course's
settings, noise seed 51; 1,461 float32 values, the validation period from step 1000, 461
values) and compared with the grader's forecast, computed here in float64 with plain loops:
the shape exactly, each value within 1e-3. A wrong forecast fails with the mean absolute
error it scores on the validation period next to the reference's, to 2 decimals, and says
when it is the right forecast shifted by one step. The reference figures on this series,
(MSE, MAE) on the validation period:

    naive forecast                                   63.47  5.97
    moving average of 30 steps                      113.68  7.41
    moving average (50) of the differences + past    43.96  5.24
    the same with the past smoothed over 10 steps    37.39  4.62

(On the course's series, seed 42, the same forecasts score MAE 5.94, 7.14, 5.84 and 4.57.)
Exact answers, no thresholds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import note

SPLIT_TIME = 1000
PERIOD = 365
AVERAGE_WINDOW = 30
DIFFERENCE_WINDOW = 50
SMOOTHING_WINDOW = 10
VALIDATION = slice(None)


def _report(reference: Any, name: str, actual: np.ndarray, forecast: np.ndarray) -> None:
    note(
        f"{name} on the validation period: MSE {reference.mse(actual, forecast):.2f}, "
        f"MAE {reference.mae(actual, forecast):.2f}"
    )


@pytest.mark.points(2)
def test_naive_forecast(
    submission: Submission, reference: Any, checks: Any, grader_series: np.ndarray
) -> None:
    """the naive forecast repeats the value of the step before"""
    call = f"naive_forecast(series, {SPLIT_TIME})"
    actual = grader_series[SPLIT_TIME:]
    forecast = checks.check_forecast(
        submission.call("naive_forecast", grader_series, SPLIT_TIME),
        reference.naive(grader_series, SPLIT_TIME),
        actual=actual,
        validation=VALIDATION,
        call=call,
        hint="the forecast for step t is series[t - 1], for t from split_time to the end: "
        "series[split_time - 1:-1], starting one step before the validation period.",
    )
    _report(reference, "the naive forecast", actual, forecast)


@pytest.mark.points(2)
def test_moving_average_forecast(
    submission: Submission, reference: Any, checks: Any, grader_series: np.ndarray
) -> None:
    """value i of the moving average is the mean of the window_size values from step i"""
    call = f"moving_average_forecast(series, {AVERAGE_WINDOW})"
    forecast = checks.check_forecast(
        submission.call("moving_average_forecast", grader_series, AVERAGE_WINDOW),
        reference.moving_average(grader_series, AVERAGE_WINDOW),
        actual=grader_series[AVERAGE_WINDOW:],
        validation=slice(SPLIT_TIME - AVERAGE_WINDOW, None),
        call=call,
        hint="return len(series) - window_size means: value i averages series[i:i + "
        "window_size], the window_size steps before step i + window_size, not that step "
        "itself.",
    )
    validation = slice(SPLIT_TIME - AVERAGE_WINDOW, None)
    _report(
        reference,
        f"the moving average of {AVERAGE_WINDOW} steps",
        grader_series[SPLIT_TIME:],
        forecast[validation],
    )


@pytest.mark.points(2)
def test_differenced_forecast(
    submission: Submission, reference: Any, checks: Any, grader_series: np.ndarray
) -> None:
    """the moving average of the differenced series, plus the value one period before"""
    call = f"differenced_forecast(series, {SPLIT_TIME}, {PERIOD}, {DIFFERENCE_WINDOW})"
    actual = grader_series[SPLIT_TIME:]
    forecast = checks.check_forecast(
        submission.call(
            "differenced_forecast", grader_series, SPLIT_TIME, PERIOD, DIFFERENCE_WINDOW
        ),
        reference.differenced(grader_series, SPLIT_TIME, PERIOD, DIFFERENCE_WINDOW),
        actual=actual,
        validation=VALIDATION,
        call=call,
        hint="differences = series[period:] - series[:-period]; add "
        "moving_average_forecast(differences, window_size)[split_time - period - "
        "window_size:] to the past values series[split_time - period:-period].",
    )
    _report(reference, "the differenced forecast", actual, forecast)


@pytest.mark.points(2)
def test_smoothed_differenced_forecast(
    submission: Submission, reference: Any, checks: Any, grader_series: np.ndarray
) -> None:
    """the same moving average of the differences, plus a smoothed past"""
    arguments = (SPLIT_TIME, PERIOD, DIFFERENCE_WINDOW, SMOOTHING_WINDOW)
    call = "smoothed_differenced_forecast(series, " + ", ".join(map(str, arguments)) + ")"
    actual = grader_series[SPLIT_TIME:]
    forecast = checks.check_forecast(
        submission.call("smoothed_differenced_forecast", grader_series, *arguments),
        reference.smoothed_differenced(grader_series, *arguments),
        actual=actual,
        validation=VALIDATION,
        call=call,
        hint="the past added back for step t is the mean of series[t - period - "
        "smoothing_window // 2] and the smoothing_window - 1 values after it (for period "
        "365 and smoothing 10: series[t - 370:t - 360]); the differenced part is 8.7's.",
    )
    _report(reference, "the smoothed differenced forecast", actual, forecast)
