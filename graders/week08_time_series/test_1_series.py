"""Week 8 grader, part 1: the generated series and its split (exercises 8.1-8.3).

Exact answers, computed here with the grader's copy of the recipe (conftest.py) on
arguments chosen to differ from the assignment's constants: a 50-step float32 time axis
with period 12, amplitude 3 and phase 5 for ``seasonality``; 500 steps with baseline 8,
slope 0.1, period 73, amplitude 30, noise level 3 and seed 11 for ``generate_series``.
Values may come back in any float dtype and are compared within 1e-3 (the series is
float32, its values up to about 100).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, fail

TIME = np.arange(50, dtype="float32")
SEASON = {"period": 12, "amplitude": 3.0, "phase": 5}
SERIES_TIME = np.arange(500, dtype="float32")
SERIES = {
    "baseline": 8.0,
    "slope": 0.1,
    "period": 73,
    "amplitude": 30.0,
    "noise_level": 3.0,
    "seed": 11,
}
SPLIT_TIME = 12


def _floats(value: Any, what: str, shape: tuple[int, ...], hint: str) -> np.ndarray:
    array = check_array(value, what, shape=shape, hint=hint)
    if array.dtype.kind not in "fiu":
        raise fail(f"the dtype of {what}", expected="floats", received=array.dtype, hint=hint)
    return array.astype("float64")


def _first_difference(received: np.ndarray, expected: np.ndarray) -> str:
    index = int(np.argmax(~np.isclose(received, expected, atol=1e-3)))
    return f"value {index} is {received[index]:.4f}, expected {expected[index]:.4f}"


@pytest.mark.points(1)
def test_seasonality_repeats_the_pattern(submission: Submission, reference: Any) -> None:
    """seasonality repeats seasonal_pattern every period steps, scaled and shifted"""
    hint = (
        "the position in the season is ((time + phase) % period) / period; return "
        "amplitude * seasonal_pattern(position)."
    )
    period, amplitude, phase = SEASON["period"], SEASON["amplitude"], SEASON["phase"]
    cases = {
        f"seasonality(time, {period})": (TIME, period),
        f"seasonality(time, {period}, {amplitude}, {phase})": (TIME, period, amplitude, phase),
    }
    for call, args in cases.items():
        expected = reference.seasonality(*args)
        what = f"{call} for time = 0, 1, ..., 49"
        received = _floats(submission.call("seasonality", *args), what, TIME.shape, hint)
        if not np.allclose(received, expected, atol=1e-3):
            raise fail(
                what,
                expected="amplitude * seasonal_pattern(((time + phase) % period) / period)",
                received=_first_difference(received, expected),
                hint=hint,
            )


@pytest.mark.points(1)
def test_generate_series_adds_the_four_parts(submission: Submission, reference: Any) -> None:
    """generate_series is baseline + trend + seasonality + seeded noise"""
    call = "generate_series(time, " + ", ".join(f"{k}={v}" for k, v in SERIES.items()) + ")"
    hint = (
        "return baseline + trend(time, slope) + seasonality(time, period, amplitude) + "
        "noise(time, noise_level, seed), with the given trend and noise functions."
    )
    received = _floats(
        submission.call("generate_series", SERIES_TIME, **SERIES),
        call,
        SERIES_TIME.shape,
        hint,
    )
    expected = reference.series(SERIES_TIME, **SERIES).astype("float64")
    if np.allclose(received, expected, atol=1e-3):
        return
    parts = {
        "the baseline": np.full(SERIES_TIME.shape, SERIES["baseline"]),
        "the trend": SERIES["slope"] * SERIES_TIME.astype("float64"),
        "the seasonality": reference.seasonality(
            SERIES_TIME, SERIES["period"], SERIES["amplitude"]
        ),
        "the noise": reference.noise(SERIES_TIME, SERIES["noise_level"], SERIES["seed"]),
    }
    missing = [name for name, part in parts.items() if np.allclose(received, expected - part)]
    raise fail(
        call,
        expected="the sum of the baseline, the trend, the seasonality and the noise",
        received=_first_difference(received, expected)
        + (f" (the series without {missing[0]})" if missing else ""),
        hint=hint,
    )


@pytest.mark.points(1)
def test_split_series_at_the_split_time(submission: Submission) -> None:
    """split_series keeps steps before split_time for training, the rest for validation"""
    time = np.arange(30, dtype="float32")
    series = (np.arange(30, dtype="float32") * 1.5 + 100.0).astype("float32")
    call = f"split_series(time, series, {SPLIT_TIME}) for 30 steps"
    value = submission.call("split_series", time, series, SPLIT_TIME)
    if not isinstance(value, list) or len(value) != 4:
        raise fail(
            call,
            expected="four arrays (time_train, series_train, time_valid, series_valid)",
            received=repr(value)[:100],
        )
    names = ("time_train", "series_train", "time_valid", "series_valid")
    expected = (
        time[:SPLIT_TIME],
        series[:SPLIT_TIME],
        time[SPLIT_TIME:],
        series[SPLIT_TIME:],
    )
    hint = (
        "the training period is [:split_time] (steps 0 to split_time - 1), the validation "
        "period [split_time:]."
    )
    for name, part, target in zip(names, value, expected, strict=True):
        received = check_array(part, f"{name} of {call}", hint=hint)
        if received.shape != target.shape or not np.allclose(received, target):
            first = received.reshape(-1)[:1].tolist()
            raise fail(
                f"{name} of {call}",
                expected=f"{len(target)} values from {target[0]:g} to {target[-1]:g}",
                received=f"{received.size} values"
                + (f" from {first[0]:g} to {received.reshape(-1)[-1]:g}" if first else ""),
                hint=hint,
            )
