"""Week 8 grader, part 3: the baseline forecasts (exercises 8.5-8.8).

Every forecast is asked for on the grader's own generated series (conftest.py: week 8's
recipe with settings, length and split time drawn at each grading) and compared with the
grader's forecast, computed here in float64 with plain loops: the shape exactly, each value
within 1e-3. The windows are drawn at each grading too (``fresh_rng``): the moving
average's from 10 to 60 steps, the differenced forecast's from 20 to 80, the smoothing
window from 4 to 20 (odd or even); the period is the series'. A wrong forecast fails with
the mean absolute error it scores on the validation period next to the reference's, to 2
decimals, and says when it is the right forecast shifted by one step. Each passing check
notes the forecast's MSE and MAE on the drawn series. For the record, on the course's
settings with noise seed 51 (1,461 values, validation from step 1000), (MSE, MAE):

    naive forecast                                   63.47  5.97
    moving average of 30 steps                      113.68  7.41
    moving average (50) of the differences + past    43.96  5.24
    the same with the past smoothed over 10 steps    37.39  4.62

(On the course's series, seed 42, the same forecasts score MAE 5.94, 7.14, 5.84 and 4.57.)
Exact answers, no thresholds.
"""

from __future__ import annotations

import pytest

from course.grading.submission import Submission
from course.testing import fresh_rng

from .reference import GraderSeries, check_forecast

pytestmark = pytest.mark.visibility("visible")


def _windows(submission: Submission) -> tuple[int, int, int]:
    """(moving average window, differenced forecast window, smoothing window)."""
    rng = fresh_rng(submission, "baseline windows")
    return int(rng.integers(10, 61)), int(rng.integers(20, 81)), int(rng.integers(4, 21))


@pytest.mark.points(2)
def test_naive_forecast(submission: Submission, grader_series: GraderSeries) -> None:
    """the naive forecast repeats the value of the step before"""
    check_forecast(
        submission,
        "naive_forecast",
        (grader_series.split_time,),
        grader_series,
        name="the naive forecast",
        hint="the forecast for step t is series[t - 1], for t from split_time to the end: "
        "series[split_time - 1:-1], starting one step before the validation period.",
    )


@pytest.mark.points(2)
def test_moving_average_forecast(submission: Submission, grader_series: GraderSeries) -> None:
    """value i of the moving average is the mean of the window_size values from step i"""
    window, _, _ = _windows(submission)
    check_forecast(
        submission,
        "moving_average_forecast",
        (window,),
        grader_series,
        name=f"the moving average of {window} steps",
        hint="return len(series) - window_size means: value i averages series[i:i + "
        "window_size], the window_size steps before step i + window_size, not that step "
        "itself.",
    )


@pytest.mark.points(2)
def test_differenced_forecast(submission: Submission, grader_series: GraderSeries) -> None:
    """the moving average of the differenced series, plus the value one period before"""
    _, window, _ = _windows(submission)
    check_forecast(
        submission,
        "differenced_forecast",
        (grader_series.split_time, grader_series.period, window),
        grader_series,
        name="the differenced forecast",
        hint="differences = series[period:] - series[:-period]; add "
        "moving_average_forecast(differences, window_size)[split_time - period - "
        "window_size:] to the past values series[split_time - period:-period].",
    )


@pytest.mark.visibility("hidden")  # a boundary: where the two moving averages start
@pytest.mark.points(2)
def test_smoothed_differenced_forecast(submission: Submission, grader_series: GraderSeries) -> None:
    """the same moving average of the differences, plus a smoothed past"""
    _, window, smoothing = _windows(submission)
    check_forecast(
        submission,
        "smoothed_differenced_forecast",
        (grader_series.split_time, grader_series.period, window, smoothing),
        grader_series,
        name="the smoothed differenced forecast",
        hint="the past added back for step t is the mean of series[t - period - "
        "smoothing_window // 2] and the smoothing_window - 1 values after it (for period "
        "365 and smoothing 10: series[t - 370:t - 360]); the differenced part is 8.7's.",
    )
