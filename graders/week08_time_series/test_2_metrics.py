"""Week 8 grader, part 2: the error metrics (exercise 8.4).

Exact answers: a small case worked out by hand (errors -1, 0, 2 and -4: MSE 21 / 4 = 5.25,
MAE 7 / 4 = 1.75), then the naive forecast of the grader's generated series against its
validation period, 461 values, compared with the grader's float64 figures within 1e-4
relative. A number may come back as a Python float, a numpy scalar or a 0-d tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import fail

ACTUAL = np.array([1.0, 2.0, 3.0, 4.0], dtype="float32")
FORECAST = np.array([0.0, 2.0, 5.0, 0.0], dtype="float32")
SPLIT_TIME = 1000


def _number(value: Any, what: str, hint: str) -> float:
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu":
        return float(value.reshape(-1)[0])
    if type(value) in (int, float):
        return float(value)
    raise fail(what, expected="a number", received=repr(value)[:80], hint=hint)


def _check_metric(
    submission: Submission,
    reference: Any,
    grader_series: np.ndarray,
    *,
    function: str,
    expected_small: float,
    hint: str,
) -> None:
    name = "mse" if function == "mean_squared_error" else "mae"
    cases = [
        (f"{function}({ACTUAL.tolist()}, {FORECAST.tolist()})", ACTUAL, FORECAST, expected_small),
    ]
    actual = grader_series[SPLIT_TIME:]
    naive = grader_series[SPLIT_TIME - 1 : -1]
    cases.append(
        (
            f"{function}(series[1000:], series[999:-1]) on the grader's series",
            actual,
            naive,
            getattr(reference, name)(actual, naive),
        )
    )
    for what, first, second, expected in cases:
        received = _number(submission.call(function, first, second), what, hint)
        if not np.isclose(received, expected, rtol=1e-4, atol=1e-6):
            other = reference.mae if name == "mse" else reference.mse
            mixed = np.isclose(received, other(first, second), rtol=1e-4)
            raise fail(
                what,
                expected=f"{expected:.6g}",
                received=f"{received:.6g}" + (" (the other metric's value)" if mixed else ""),
                hint=hint,
            )


@pytest.mark.points(1)
def test_mean_squared_error(
    submission: Submission, reference: Any, grader_series: np.ndarray
) -> None:
    """mean_squared_error is the mean of the squared errors"""
    _check_metric(
        submission,
        reference,
        grader_series,
        function="mean_squared_error",
        expected_small=5.25,
        hint="square each error (forecast - actual), then take the mean: "
        "np.mean((forecast - actual) ** 2).",
    )


@pytest.mark.points(1)
def test_mean_absolute_error(
    submission: Submission, reference: Any, grader_series: np.ndarray
) -> None:
    """mean_absolute_error is the mean of the absolute errors"""
    _check_metric(
        submission,
        reference,
        grader_series,
        function="mean_absolute_error",
        expected_small=1.75,
        hint="take the absolute value of each error (forecast - actual), not its square, "
        "then the mean: np.mean(np.abs(forecast - actual)).",
    )
