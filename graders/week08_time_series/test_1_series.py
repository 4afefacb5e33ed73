"""Week 8 grader, part 1: the generated series and its split (exercises 8.1-8.3).

Exact answers, computed here with the grader's copy of the recipe (course.datasets.synthetic) on
arguments drawn at each grading (``fresh_rng``), away from the assignment's constants:

* ``seasonality``: a float32 time axis of 30 to 80 steps, a period of 5 to 20 steps, an
  amplitude of 0.5 to 10 and a phase of 1 to period - 1 (and the call with the defaults);
* ``generate_series``: 200 to 800 steps, baseline 0 to 20, slope 0.01 to 0.2, a period of
  20 to 150 steps, amplitude 5 to 50, noise level 0.5 to 6 and a seed below 2**31;
* ``split_series``: 20 to 60 float32 values drawn from 0 to 200 and a split time from 3 to
  the length - 3.

Values may come back in any float dtype and are compared within 1e-3 (the series is
float32, its values up to about 250).
"""

from __future__ import annotations

import numpy as np
import pytest

from course.datasets.synthetic import noise, seasonal_series, seasonality
from course.grading.submission import Submission
from course.testing import check_array, check_close, fail, fresh_rng

from .reference import SeriesSettings

pytestmark = pytest.mark.visibility("visible")


def _floats(value: object, what: str, shape: tuple[int, ...], hint: str) -> np.ndarray:
    return check_array(value, what, shape=shape, kind="fiu", hint=hint).astype("float64")


@pytest.mark.points(1)
def test_seasonality_repeats_the_pattern(submission: Submission) -> None:
    """seasonality repeats seasonal_pattern every period steps, scaled and shifted"""
    hint = (
        "the position in the season is ((time + phase) % period) / period; return "
        "amplitude * seasonal_pattern(position)."
    )
    rng = fresh_rng(submission, "seasonality")
    time = np.arange(int(rng.integers(30, 81)), dtype="float32")
    period = int(rng.integers(5, 21))
    amplitude = round(float(rng.uniform(0.5, 10.0)), 2)
    phase = int(rng.integers(1, period))
    cases = [
        (f"seasonality(time, {period})", (period,), seasonality(time, period)),
        (
            f"seasonality(time, {period}, {amplitude}, {phase})",
            (period, amplitude, phase),
            seasonality(time, period, amplitude, phase),
        ),
    ]
    for call, args, expected in cases:
        what = f"{call} for time = 0, 1, ..., {len(time) - 1}"
        received = _floats(submission.call("seasonality", time, *args), what, time.shape, hint)
        check_close(received, expected, what, atol=1e-3, hint=hint)


@pytest.mark.points(1)
def test_generate_series_adds_the_four_parts(submission: Submission) -> None:
    """generate_series is baseline + trend + seasonality + seeded noise"""
    rng = fresh_rng(submission, "generate_series")
    time = np.arange(int(rng.integers(200, 801)), dtype="float32")
    settings: SeriesSettings = {
        "baseline": round(float(rng.uniform(0.0, 20.0)), 2),
        "slope": round(float(rng.uniform(0.01, 0.2)), 4),
        "period": int(rng.integers(20, 151)),
        "amplitude": round(float(rng.uniform(5.0, 50.0)), 2),
        "noise_level": round(float(rng.uniform(0.5, 6.0)), 2),
        "seed": int(rng.integers(2**31)),
    }
    call = (
        f"generate_series(time of {len(time)} steps, "
        + ", ".join(f"{k}={v}" for k, v in settings.items())
        + ")"
    )
    hint = (
        "return baseline + trend(time, slope) + seasonality(time, period, amplitude) + "
        "noise(time, noise_level, seed), with the given trend and noise functions."
    )
    value = submission.call("generate_series", time, as_tensors=False, **settings)
    received = _floats(value, call, time.shape, hint)
    expected = seasonal_series(time, **settings).astype("float64")
    if np.allclose(received, expected, atol=1e-3):
        return
    parts = {
        "the baseline": np.full(time.shape, settings["baseline"]),
        "the trend": settings["slope"] * time.astype("float64"),
        "the seasonality": seasonality(time, settings["period"], settings["amplitude"]),
        "the noise": noise(time, settings["noise_level"], settings["seed"]),
    }
    missing = [name for name, part in parts.items() if np.allclose(received, expected - part)]
    index = int(np.argmax(~np.isclose(received, expected, atol=1e-3)))
    raise fail(
        call,
        expected="the sum of the baseline, the trend, the seasonality and the noise",
        received=f"value {index} is {received[index]:.4f}, expected {expected[index]:.4f}"
        + (f" (the series without {missing[0]})" if missing else ""),
        hint=hint,
    )


@pytest.mark.points(1)
def test_split_series_at_the_split_time(submission: Submission) -> None:
    """split_series keeps steps before split_time for training, the rest for validation"""
    rng = fresh_rng(submission, "split_series")
    steps = int(rng.integers(20, 61))
    split_time = int(rng.integers(3, steps - 2))
    time = np.arange(steps, dtype="float32")
    series = rng.uniform(0.0, 200.0, size=steps).round(3).astype("float32")
    call = f"split_series(time, series, {split_time}) for {steps} steps"
    value = submission.call("split_series", time, series, split_time)
    if not isinstance(value, list) or len(value) != 4:
        raise fail(
            call,
            expected="four arrays (time_train, series_train, time_valid, series_valid)",
            received=repr(value)[:100],
        )
    names = ("time_train", "series_train", "time_valid", "series_valid")
    expected = (time[:split_time], series[:split_time], time[split_time:], series[split_time:])
    hint = (
        "the training period is [:split_time] (steps 0 to split_time - 1), the validation "
        "period [split_time:]."
    )
    for name, part, target in zip(names, value, expected, strict=True):
        received = check_array(part, f"{name} of {call}", hint=hint)
        check_close(received, target, f"{name} of {call}", atol=1e-8, rtol=1e-5, hint=hint)
