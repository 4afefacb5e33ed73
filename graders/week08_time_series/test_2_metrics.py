"""Week 8 grader, part 2: the error metrics (exercise 8.4).

Exact answers on inputs drawn at each grading (``fresh_rng``): first a small case of 4 to 8
whole numbers from 0 to 20 and forecasts off by whole numbers from -6 to 6, at least one
error of 2 or more (so that the squared and the absolute errors differ); then the naive
forecast of the grader's generated series (conftest.py, drawn too) against its validation
period. Both are compared with the grader's float64 figures within 1e-4 relative. A number
may come back as a Python float, a numpy scalar or a 0-d tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import fail, fresh_rng

from . import reference
from .reference import GraderSeries

pytestmark = pytest.mark.visibility("visible")


def _small_case(submission: Submission) -> tuple[np.ndarray, np.ndarray]:
    """(actual, forecast): a few whole numbers, the forecast off by whole numbers."""
    rng = fresh_rng(submission, "metrics", "small case")
    count = int(rng.integers(4, 9))
    actual = rng.integers(0, 21, size=count)
    errors = rng.integers(-6, 7, size=count)
    errors[rng.integers(count)] = int(rng.choice([-1, 1])) * int(rng.integers(2, 7))
    return actual.astype("float32"), (actual + errors).astype("float32")


def _number(value: Any, what: str, hint: str) -> float:
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu":
        return float(value.reshape(-1)[0])
    if type(value) in (int, float):
        return float(value)
    raise fail(what, expected="a number", received=repr(value)[:80], hint=hint)


#: Each metric, and the other one (a mix-up the message names).
METRICS = {
    "mean_squared_error": (reference.mse, reference.mae),
    "mean_absolute_error": (reference.mae, reference.mse),
}


def _check_metric(
    submission: Submission, grader_series: GraderSeries, *, function: str, hint: str
) -> None:
    metric, other = METRICS[function]
    actual, forecast = _small_case(submission)
    series, split_time = grader_series.values, grader_series.split_time
    cases = [
        (f"{function}({actual.tolist()}, {forecast.tolist()})", actual, forecast),
        (
            f"{function}(series[{split_time}:], series[{split_time - 1}:-1]) on "
            + grader_series.describe(),
            series[split_time:],
            series[split_time - 1 : -1],
        ),
    ]
    for what, first, second in cases:
        expected = metric(first, second)
        received = _number(submission.call(function, first, second), what, hint)
        if not np.isclose(received, expected, rtol=1e-4, atol=1e-6):
            mixed = np.isclose(received, other(first, second), rtol=1e-4)
            raise fail(
                what,
                expected=f"{expected:.6g}",
                received=f"{received:.6g}" + (" (the other metric's value)" if mixed else ""),
                hint=hint,
            )


@pytest.mark.points(1)
def test_mean_squared_error(submission: Submission, grader_series: GraderSeries) -> None:
    """mean_squared_error is the mean of the squared errors"""
    _check_metric(
        submission,
        grader_series,
        function="mean_squared_error",
        hint="square each error (forecast - actual), then take the mean: "
        "np.mean((forecast - actual) ** 2).",
    )


@pytest.mark.points(1)
def test_mean_absolute_error(submission: Submission, grader_series: GraderSeries) -> None:
    """mean_absolute_error is the mean of the absolute errors"""
    _check_metric(
        submission,
        grader_series,
        function="mean_absolute_error",
        hint="take the absolute value of each error (forecast - actual), not its square, "
        "then the mean: np.mean(np.abs(forecast - actual)).",
    )
