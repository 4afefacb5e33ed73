"""Week 10 grader, part 1: the Huber loss as a closure (exercise 10.1).

Drawn afresh at each grading (``fresh_rng(submission, "huber function")``): three
thresholds, one from each of [0.3, 0.8], [1.2, 2.0] and [2.2, 3.5] (two decimals; never the
default 1.0, so a closure that ignores its threshold fails), and for each threshold a batch
shape, 4 to 9 samples of 2 to 5 values. The worker calls ``make_huber_loss(threshold)`` and
the function it returns on three ``(y_true, y_pred)`` batches of that shape (``y_pred``
standard normal): one whose errors are all below the threshold (0.1 to 0.9 times it), one
whose errors are all above it (1.1 to 4 times it), and one with both in every sample (below
in the even columns, above in the odd ones), each error's sign random. The values come back
here and are compared with the grader's numpy Huber loss, one loss per sample (tolerance
1e-4 relative + 1e-5 absolute).

Equivalent mutants:
    make_huber_loss.huber:flip-comparison:< - at |e| = t both branches give 0.5 * t**2:
        the Huber loss is continuous there, so < and <= are the same function.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import fail, format_shape, fresh_rng

from . import reference, replies

pytestmark = pytest.mark.visibility("visible")

#: One threshold is drawn from each range; 1.0, the default, lies in none of them.
THRESHOLD_RANGES = ((0.3, 0.8), (1.2, 2.0), (2.2, 3.5))
ROWS = (4, 9)  # samples per batch, inclusive
COLUMNS = (2, 5)  # values per sample, inclusive
REGIME_NAMES = {
    "below": "errors |y_true - y_pred| all below the threshold",
    "above": "errors |y_true - y_pred| all above the threshold",
    "mixed": "errors below and above the threshold in every sample",
}
HINTS = {
    "below": "where |e| <= threshold the loss of an element is 0.5 * e**2 (the half "
    "matters); compare abs(error) with the threshold, not the error itself.",
    "above": "where |e| > threshold the loss of an element is threshold * (|e| - 0.5 * "
    "threshold): linear in |e|.",
    "mixed": "choose the formula element by element, e.g. keras.ops.where(abs(error) <= "
    "threshold, 0.5 * error**2, threshold * (abs(error) - 0.5 * threshold)), then average "
    "over the last axis.",
}


@pytest.mark.points(2)
@pytest.mark.time_limit(30)
def test_huber_function_in_both_regimes(submission: Submission) -> None:
    """make_huber_loss(t) gives one Huber loss per sample, below and above the threshold"""
    rng = fresh_rng(submission, "huber function")
    for low, high in THRESHOLD_RANGES:
        threshold = round(float(rng.uniform(low, high)), 2)
        rows = int(rng.integers(ROWS[0], ROWS[1] + 1))
        columns = int(rng.integers(COLUMNS[0], COLUMNS[1] + 1))
        batches = {
            regime: reference.errors(rng, threshold, regime, rows=rows, columns=columns)
            for regime in REGIME_NAMES
        }
        call = f"make_huber_loss({threshold})(y_true, y_pred)"
        reply = submission.probe(
            "custom.loss",
            action=call,
            factory="make_huber_loss",
            args=[threshold],
            cases=[[y_true, y_pred] for y_true, y_pred in batches.values()],
        )
        values = replies.field(reply, "values", list, what="the loss values")
        for (regime, (y_true, y_pred)), value in zip(batches.items(), values, strict=True):
            received = replies.array(value, what=f"the value of {call}")
            expected = reference.huber(y_true, y_pred, threshold)
            if received.shape != expected.shape:
                raise fail(
                    f"the shape of {call} for y_true and y_pred of shape {y_true.shape}",
                    expected=f"{format_shape(expected.shape)}: one loss per sample",
                    received=format_shape(received.shape),
                    hint="average over the last axis only: keras.ops.mean(..., axis=-1); "
                    "Keras averages the per-sample losses over the batch itself.",
                )
            if not np.allclose(received, expected, rtol=1e-4, atol=1e-5):
                sharper = reference.huber_mistake(received, y_true, y_pred, threshold)
                raise fail(
                    f"{call} for {REGIME_NAMES[regime]}",
                    expected=np.round(expected, 5).tolist(),
                    received=np.round(received, 5).tolist(),
                    hint=sharper or HINTS[regime],
                )
