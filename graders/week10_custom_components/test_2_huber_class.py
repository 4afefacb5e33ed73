"""Week 10 grader, part 2: the Huber loss as a ``keras.losses.Loss`` subclass (exercise 10.2).

The worker makes ``HuberLoss(threshold=t)`` and calls it on ``(y_true, y_pred)`` pairs drawn
afresh at each grading, each check from its own ``fresh_rng(submission, ...)`` stream
(``y_pred`` standard normal, errors of random sign; see ``reference.py``); the values come
back here:

* one sample at a time, for three thresholds drawn from [0.3, 0.8], [1.2, 2.0] and
  [2.2, 3.5] (two decimals): 2 to 4 samples of 2 to 5 values whose errors are below the
  threshold (0.1 to 0.9 times it), as many above it (1.1 to 4 times), as many with both,
  against the grader's numpy Huber loss (tolerance 1e-4 relative + 1e-5 absolute);
* a batch of 5 to 12 samples of 2 to 5 values with both kinds of error, and each of its
  samples alone, for a threshold from [0.5, 2.5]: the batch's loss must be the mean of its
  samples' losses (Keras's default reduction), whatever the formula;
* another such batch with a weight per sample drawn from [0.2, 2.0] (``sample_weight=``):
  the loss must be the sum of each sample's loss (as the submission computes it alone)
  times its weight, divided by the number of samples (Keras weighs the per-sample losses
  ``call`` returns); a ``call`` that averages over the batch axis instead of the last one
  gives the same unweighted mean, and only the weights tell them apart;
* ``HuberLoss.from_config(loss.get_config())`` for a threshold from [0.3, 0.7] and one from
  [2.0, 3.5] (never the default 1.0), on 3 to 6 samples of each kind: the rebuilt loss must
  give the same values as the original.

Equivalent mutants:
    HuberLoss.call:flip-comparison:< - at |e| = t both branches give 0.5 * t**2: the
        Huber loss is continuous there, so < and <= are the same function.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_close, draw_between, fail, fresh_rng

from . import reference, replies

pytestmark = pytest.mark.visibility("visible")

REGIMES = tuple(reference.REGIME_WORDS)
SAMPLES_PER_REGIME = (2, 4)  # inclusive, as are the other ranges of sizes
BATCH_THRESHOLD_RANGE = (0.5, 2.5)
BATCH_ROWS = (5, 12)
ROUND_TRIP_THRESHOLD_RANGES = ((0.3, 0.7), (2.0, 3.5))
ROUND_TRIP_ROWS = (3, 6)


def _loss(
    submission: Submission, threshold: float, cases: list[list[np.ndarray]], **extra: object
) -> object:
    """The reply of ``HuberLoss(threshold=threshold)`` called on each case; fails unless
    that is a ``keras.losses.Loss``."""
    reply = submission.probe(
        "custom.loss",
        action=f"HuberLoss(threshold={threshold})(y_true, y_pred)",
        factory="HuberLoss",
        kwargs={"threshold": threshold},
        cases=cases,
        **extra,
    )
    chain = replies.field(reply, "class_chain", list, what="the loss description")
    if not replies.field(reply, "is_loss_object", bool, what="the loss description"):
        raise fail(
            "HuberLoss(threshold=...)",
            expected="an instance of a keras.losses.Loss subclass",
            received=" -> ".join(map(str, chain)),
            hint="class HuberLoss(keras.losses.Loss): with __init__, call and get_config.",
        )
    return reply


@pytest.mark.points(2)
@pytest.mark.time_limit(30)
def test_huber_class_values_for_each_sample(submission: Submission) -> None:
    """HuberLoss(threshold=t) computes the Huber loss, below and above the threshold"""
    rng = fresh_rng(submission, "huber class values")
    for bounds in reference.THRESHOLD_RANGES:
        threshold = reference.draw_threshold(rng, bounds)
        rows = draw_between(rng, SAMPLES_PER_REGIME)
        columns = draw_between(rng, reference.COLUMNS)
        samples = []
        for regime in REGIMES:
            y_true, y_pred = reference.errors(rng, threshold, regime, rows=rows, columns=columns)
            samples += [(regime, y_true[i : i + 1], y_pred[i : i + 1]) for i in range(rows)]
        reply = _loss(submission, threshold, [[y_true, y_pred] for _, y_true, y_pred in samples])
        call = f"HuberLoss(threshold={threshold})(y_true, y_pred)"
        values = replies.scalars(reply, "values", what=call, count=len(samples))
        for (regime, y_true, y_pred), received in zip(samples, values, strict=True):
            what = f"{call} for one sample, y_true={reference.rounded(y_true[0])} and y_pred="
            what += f"{reference.rounded(y_pred[0])} (errors {reference.REGIME_WORDS[regime]})"
            reference.check_huber(
                np.array([received]), y_true, y_pred, threshold, regime=regime, what=what
            )


def _check_batch(submission: Submission, purpose: str, *, weighted: bool, hint: str) -> None:
    """The loss of a batch drawn for ``purpose`` (with a weight per sample when ``weighted``)
    must be the mean of its samples' losses (times their weights), each sample's loss as
    the submission computes it alone: this judges the reduction, whatever the formula."""
    rng = fresh_rng(submission, purpose)
    threshold = reference.draw_threshold(rng, BATCH_THRESHOLD_RANGE)
    rows, columns = draw_between(rng, BATCH_ROWS), draw_between(rng, reference.COLUMNS)
    y_true, y_pred = reference.errors(rng, threshold, "mixed", rows=rows, columns=columns)
    weights = rng.uniform(0.2, 2.0, size=rows).astype("float32") if weighted else np.ones(rows)
    argument = ", sample_weight=w" if weighted else ""
    what = f"HuberLoss(threshold={threshold})(y_true, y_pred{argument}) for a batch of {rows} "
    what += f"samples of {columns} values"
    if weighted:
        what += f", with weights {reference.rounded(weights, 2)}"
    cases = [[y_true, y_pred, weights] if weighted else [y_true, y_pred]]
    cases += [[y_true[i : i + 1], y_pred[i : i + 1]] for i in range(rows)]
    reply = _loss(submission, threshold, cases)
    loss, *each = replies.arrays(reply, "values", what=what, count=len(cases))
    if loss.size != 1:
        raise fail(
            what,
            expected="one number, the mean loss over the batch",
            received=f"an array of shape {loss.shape}",
            hint="keep Keras's default reduction: do not pass reduction=None to "
            "super().__init__; call() returns one loss per sample and Loss.__call__ averages.",
        )
    losses = np.array([replies.scalar(value, what="the loss of one sample") for value in each])
    check_close(
        loss.reshape(()),
        np.sum(losses * weights.astype("float64")) / rows,
        f"{what}, the sum of the losses of its samples taken one at a time"
        + (", times their weights," if weighted else "")
        + f" divided by {rows},",
        rtol=1e-4,
        atol=1e-6,
        hint=hint,
    )


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_huber_class_averages_over_the_batch(submission: Submission) -> None:
    """HuberLoss on a batch is the mean of the losses of its samples"""
    hint = "keep Keras's default reduction, 'sum_over_batch_size' (pass reduction through "
    hint += "**kwargs, do not set it to 'sum'), and return one loss per sample from call()."
    _check_batch(submission, "huber class batch", weighted=False, hint=hint)


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_huber_class_weights_each_sample(submission: Submission) -> None:
    """HuberLoss weighs each sample's loss by its sample_weight"""
    hint = "call() must return one loss per sample, averaged over the last axis "
    hint += "(keras.ops.mean(..., axis=-1)): Keras multiplies those by the weights."
    _check_batch(submission, "huber class sample weights", weighted=True, hint=hint)


@pytest.mark.points(2)
@pytest.mark.time_limit(30)
def test_huber_class_config_round_trip(submission: Submission) -> None:
    """HuberLoss.from_config(loss.get_config()) is the same loss, threshold included"""
    rng = fresh_rng(submission, "huber class round trip")
    for bounds in ROUND_TRIP_THRESHOLD_RANGES:
        threshold = reference.draw_threshold(rng, bounds)
        rows = draw_between(rng, ROUND_TRIP_ROWS)
        columns = draw_between(rng, reference.COLUMNS)
        cases = [
            list(reference.errors(rng, threshold, regime, rows=rows, columns=columns))
            for regime in REGIMES
        ]
        reply = _loss(submission, threshold, cases, round_trip=True)
        config = replies.field(reply, "config", dict, what="the loss description")
        check_close(
            replies.scalars(reply, "round_trip_values", what="the rebuilt loss"),
            replies.scalars(reply, "values", what="the loss"),
            f"HuberLoss.from_config(loss.get_config()) for loss = HuberLoss(threshold="
            f"{threshold}), on the same {len(cases)} batches, as the loss of the original",
            rtol=1e-6,
            atol=1e-7,
            hint=f"get_config() returned {dict(sorted(config.items()))}. It should return "
            "{**super().get_config(), 'threshold': self.threshold}, and __init__ accept "
            "threshold as a keyword, so from_config(config), which calls HuberLoss(**config), "
            "keeps it.",
        )
