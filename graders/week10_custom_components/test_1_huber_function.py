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

import pytest

from course.grading.submission import Submission
from course.testing import check_array, draw_between, fresh_rng

from . import reference, replies

pytestmark = pytest.mark.visibility("visible")

ROWS = (4, 9)  # samples per batch, inclusive


@pytest.mark.points(2)
@pytest.mark.time_limit(30)
def test_huber_function_in_both_regimes(submission: Submission) -> None:
    """make_huber_loss(t) gives one Huber loss per sample, below and above the threshold"""
    rng = fresh_rng(submission, "huber function")
    for bounds in reference.THRESHOLD_RANGES:
        threshold = reference.draw_threshold(rng, bounds)
        rows, columns = draw_between(rng, ROWS), draw_between(rng, reference.COLUMNS)
        batches = {
            regime: reference.errors(rng, threshold, regime, rows=rows, columns=columns)
            for regime in reference.REGIME_WORDS
        }
        call = f"make_huber_loss({threshold})(y_true, y_pred)"
        reply = submission.probe(
            "custom.loss",
            action=call,
            factory="make_huber_loss",
            args=[threshold],
            cases=[list(batch) for batch in batches.values()],
        )
        values = replies.field(reply, "values", list, what="the loss values")
        for (regime, (y_true, y_pred)), value in zip(batches.items(), values, strict=True):
            received = check_array(
                replies.array(value, what=f"the value of {call}"),
                f"{call} for y_true and y_pred of shape {y_true.shape}",
                shape=(rows,),
                hint="one loss per sample: average over the last axis only, keras.ops.mean("
                "..., axis=-1); Keras averages the per-sample losses over the batch itself.",
            )
            what = f"{call} for errors |y_true - y_pred| {reference.REGIME_WORDS[regime]}"
            reference.check_huber(received, y_true, y_pred, threshold, regime=regime, what=what)
