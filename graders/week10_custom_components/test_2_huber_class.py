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
from course.testing import fail, fresh_rng

from . import reference, replies

pytestmark = pytest.mark.visibility("visible")

#: One threshold is drawn from each range; 1.0, the default, lies in none of them.
THRESHOLD_RANGES = ((0.3, 0.8), (1.2, 2.0), (2.2, 3.5))
REGIMES = ("below", "above", "mixed")
SAMPLES_PER_REGIME = (2, 4)  # inclusive, as are the other ranges of sizes
COLUMNS = (2, 5)
BATCH_THRESHOLD_RANGE = (0.5, 2.5)
BATCH_ROWS = (5, 12)
ROUND_TRIP_THRESHOLD_RANGES = ((0.3, 0.7), (2.0, 3.5))
ROUND_TRIP_ROWS = (3, 6)
REGIME_WORDS = {
    "below": "all below the threshold",
    "above": "all above the threshold",
    "mixed": "below and above the threshold",
}
HINTS = {
    "below": "where |e| <= threshold the loss of an element is 0.5 * e**2.",
    "above": "where |e| > threshold the loss of an element is threshold * (|e| - 0.5 * threshold).",
    "mixed": "choose the formula element by element (keras.ops.where), then average over the "
    "last axis.",
}


def _size(rng: np.random.Generator, bounds: tuple[int, int]) -> int:
    return int(rng.integers(bounds[0], bounds[1] + 1))


def _threshold(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    return round(float(rng.uniform(*bounds)), 2)


def _loss(
    submission: Submission, threshold: float, cases: list[list[np.ndarray]], **extra: object
) -> object:
    return submission.probe(
        "custom.loss",
        action=f"HuberLoss(threshold={threshold})(y_true, y_pred)",
        factory="HuberLoss",
        kwargs={"threshold": threshold},
        cases=cases,
        **extra,
    )


def _require_loss_class(reply: object) -> None:
    chain = replies.field(reply, "class_chain", list, what="the loss description")
    if not replies.field(reply, "is_loss_object", bool, what="the loss description"):
        raise fail(
            "HuberLoss(threshold=...)",
            expected="an instance of a keras.losses.Loss subclass",
            received=" -> ".join(map(str, chain)),
            hint="class HuberLoss(keras.losses.Loss): with __init__, call and get_config.",
        )


@pytest.mark.points(2)
@pytest.mark.time_limit(30)
def test_huber_class_values_for_each_sample(submission: Submission) -> None:
    """HuberLoss(threshold=t) computes the Huber loss, below and above the threshold"""
    rng = fresh_rng(submission, "huber class values")
    for bounds in THRESHOLD_RANGES:
        threshold = _threshold(rng, bounds)
        rows, columns = _size(rng, SAMPLES_PER_REGIME), _size(rng, COLUMNS)
        samples = []
        for regime in REGIMES:
            y_true, y_pred = reference.errors(rng, threshold, regime, rows=rows, columns=columns)
            samples += [(regime, y_true[i : i + 1], y_pred[i : i + 1]) for i in range(len(y_true))]
        reply = _loss(submission, threshold, [[y_true, y_pred] for _, y_true, y_pred in samples])
        _require_loss_class(reply)
        values = replies.field(reply, "values", list, what="the loss values")
        call = f"HuberLoss(threshold={threshold})(y_true, y_pred)"
        for (regime, y_true, y_pred), value in zip(samples, values, strict=True):
            received = replies.scalar(value, what=f"the value of {call}")
            expected = float(reference.huber(y_true, y_pred, threshold)[0])
            if not np.isclose(received, expected, rtol=1e-4, atol=1e-5):
                sharper = reference.huber_mistake(np.array([received]), y_true, y_pred, threshold)
                shown_true = np.round(y_true[0].astype("float64"), 4).tolist()
                shown_pred = np.round(y_pred[0].astype("float64"), 4).tolist()
                raise fail(
                    f"{call} for one sample, y_true={shown_true} and y_pred={shown_pred} "
                    f"(errors {REGIME_WORDS[regime]})",
                    expected=f"{expected:.6g}",
                    received=f"{received:.6g}",
                    hint=sharper or HINTS[regime],
                )


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_huber_class_averages_over_the_batch(submission: Submission) -> None:
    """HuberLoss on a batch is the mean of the losses of its samples"""
    rng = fresh_rng(submission, "huber class batch")
    threshold, rows = _threshold(rng, BATCH_THRESHOLD_RANGE), _size(rng, BATCH_ROWS)
    columns = _size(rng, COLUMNS)
    y_true, y_pred = reference.errors(rng, threshold, "mixed", rows=rows, columns=columns)
    cases = [[y_true, y_pred]] + [[y_true[i : i + 1], y_pred[i : i + 1]] for i in range(rows)]
    reply = _loss(submission, threshold, cases)
    _require_loss_class(reply)
    values = replies.field(reply, "values", list, what="the loss values")
    call = f"HuberLoss(threshold={threshold})(y_true, y_pred)"
    if len(values) != len(cases):
        raise fail(f"the number of values of {call}", expected=len(cases), received=len(values))
    batch = replies.array(values[0], what=f"the value of {call}")
    if batch.size != 1:
        raise fail(
            f"{call} for a batch of {rows} samples",
            expected="one number, the mean loss over the batch",
            received=f"an array of shape {batch.shape}",
            hint="keep Keras's default reduction: do not pass reduction=None to "
            "super().__init__; call() returns one loss per sample and Loss.__call__ averages.",
        )
    each = [replies.scalar(value, what=f"the value of {call}") for value in values[1:]]
    mean = float(np.mean(each))
    received = float(batch.reshape(()))
    if not np.isclose(received, mean, rtol=1e-4, atol=1e-6):
        ratio = received / mean if mean else float("nan")
        raise fail(
            f"{call} for a batch of {rows} samples",
            expected=f"the mean of the losses of its samples taken one at a time, {mean:.6g}",
            received=f"{received:.6g} ({ratio:.3g} times the mean)",
            hint="keep Keras's default reduction, 'sum_over_batch_size' (pass reduction "
            "through **kwargs, do not set it to 'sum'), and return one loss per sample from "
            "call().",
        )


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_huber_class_weights_each_sample(submission: Submission) -> None:
    """HuberLoss weighs each sample's loss by its sample_weight"""
    rng = fresh_rng(submission, "huber class sample weights")
    threshold, rows = _threshold(rng, BATCH_THRESHOLD_RANGE), _size(rng, BATCH_ROWS)
    columns = _size(rng, COLUMNS)
    y_true, y_pred = reference.errors(rng, threshold, "mixed", rows=rows, columns=columns)
    weights = rng.uniform(0.2, 2.0, size=rows).astype("float32")
    call = f"HuberLoss(threshold={threshold})(y_true, y_pred, sample_weight=w)"
    cases = [[y_true, y_pred, weights]]
    cases += [[y_true[i : i + 1], y_pred[i : i + 1]] for i in range(rows)]
    reply = _loss(submission, threshold, cases)
    _require_loss_class(reply)
    values = replies.field(reply, "values", list, what="the loss values")
    if len(values) != len(cases):
        raise fail(f"the number of values of {call}", expected=len(cases), received=len(values))
    received = replies.scalar(values[0], what=f"the value of {call}")
    # The submission's own loss of each sample: this check judges the weighting, whatever
    # the formula (the first check judges that).
    each = np.array([replies.scalar(v, what=f"the value of {call}") for v in values[1:]])
    expected = float(np.sum(each * weights.astype("float64")) / rows)
    if not np.isclose(received, expected, rtol=1e-4, atol=1e-6):
        raise fail(
            f"{call} for a batch of {rows} samples of {columns} values, with weights "
            f"{np.round(weights.astype('float64'), 2).tolist()}",
            expected="the losses of the samples taken one at a time, times their weights, "
            f"averaged over the batch: {expected:.6g}",
            received=f"{received:.6g}",
            hint="call() must return one loss per sample, averaged over the last axis "
            "(keras.ops.mean(..., axis=-1)): Keras multiplies those by the weights.",
        )


@pytest.mark.points(2)
@pytest.mark.time_limit(30)
def test_huber_class_config_round_trip(submission: Submission) -> None:
    """HuberLoss.from_config(loss.get_config()) is the same loss, threshold included"""
    rng = fresh_rng(submission, "huber class round trip")
    for bounds in ROUND_TRIP_THRESHOLD_RANGES:
        threshold = _threshold(rng, bounds)
        rows, columns = _size(rng, ROUND_TRIP_ROWS), _size(rng, COLUMNS)
        cases = [
            list(reference.errors(rng, threshold, regime, rows=rows, columns=columns))
            for regime in REGIMES
        ]
        reply = _loss(submission, threshold, cases, round_trip=True)
        config = replies.field(reply, "config", dict, what="the loss description")
        original = replies.field(reply, "values", list, what="the loss values")
        rebuilt = replies.field(reply, "round_trip_values", list, what="the loss values")
        for before, after in zip(original, rebuilt, strict=True):
            value = replies.scalar(before, what="the loss value")
            again = replies.scalar(after, what="the rebuilt loss value")
            if not np.isclose(value, again, rtol=1e-6, atol=1e-7):
                shown = {key: config[key] for key in sorted(config)}
                raise fail(
                    f"HuberLoss.from_config(loss.get_config()) for loss = "
                    f"HuberLoss(threshold={threshold}), on the same batch",
                    expected=f"the loss of the original, {value:.6g}",
                    received=f"{again:.6g}; get_config() returned {shown}",
                    hint="get_config() returns {**super().get_config(), 'threshold': "
                    "self.threshold}, and __init__ accepts threshold as a keyword, so "
                    "from_config(config), which calls HuberLoss(**config), keeps it.",
                )
