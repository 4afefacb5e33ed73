"""Week 10 grader, part 4: a metric with state, ``BinaryF1Score`` (exercise 10.4).

The worker makes the metric and drives it with batches drawn afresh at each grading
(``fresh_rng(submission, "f1 batches")``, the same batches for the three checks): four
batches of 5 to 14 samples (``BATCH_SIZES``, inclusive), labels 0/1 and scores in (0, 1),
shape ``(n, 1)``; the metric's ``result()`` after each step comes back. Scores lean towards
their labels (``0.3 * label + uniform(0.02, 0.7)``), and each batch has a part laid down
on top of the draw, at random places in it, so that every mistake below shows at every
seed:

* batch 1 holds at least two true positives (labels 1, scores 0.6 to 0.95);
* batch 2 predicts nothing positive (every score 0.02 to 0.45) and has one or two positive
  labels: its own F1 score is 0, so the mean of the per-batch scores after it is half the
  first batch's, while the F1 of all the samples so far, ``2 TP1 / (2 TP1 + FP1 + FN1 +
  FN2)``, is more than half of it (FN2 <= 2 < 2 TP1 + FP1 + FN1);
* batch 3 holds a true positive (score 0.6 to 0.95), a positive label scored 0.32 to
  0.48 and a negative label scored exactly 0.25, and no other negative label scores in
  (0.25, 0.5]: with ``threshold=0.25`` its F1 score is strictly higher than with 0.5, a
  metric that counts ``y_pred >= threshold`` as positive takes the 0.25 for a false
  positive, and after a ``reset_state`` that leaves the false counts of batches 1 and 2
  behind (FN2 >= 1) its score comes out lower than its own.

The grader computes the F1 score of *all* the samples given so far with numpy and compares
it after every step (tolerance 1e-5); averaging the per-batch F1 scores instead is named
in the message. ``reset_state`` must bring every count back to 0: the result is then 0,
and after the third batch, that batch's own F1 score. With ``threshold=0.25`` the score of
the third batch alone is compared with the grader's at 0.25.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_close, draw_between, fresh_rng

from . import reference, replies

pytestmark = pytest.mark.visibility("visible")

BATCHES = 4
BATCH_SIZES = (5, 14)  # samples per batch, inclusive
LOW_THRESHOLD = 0.25  # exact in float32, so a score can sit right on it

Batch = tuple[np.ndarray, np.ndarray]


def _laid_down(
    rng: np.random.Generator,
    labels: np.ndarray,
    scores: np.ndarray,
    fixed: list[tuple[float, float]],
) -> None:
    """Put the (label, score) pairs of ``fixed`` at random places of the batch, in place."""
    places = rng.choice(len(labels), size=len(fixed), replace=False)
    for place, (label, score) in zip(places, fixed, strict=True):
        labels[place], scores[place] = label, score


@pytest.fixture(scope="module")
def batches(submission: Submission) -> list[Batch]:
    """(labels, scores), float32 ``(n, 1)`` each, drawn afresh (see the module docstring)."""
    rng = fresh_rng(submission, "f1 batches")
    drawn = []
    for number in range(1, BATCHES + 1):
        size = draw_between(rng, BATCH_SIZES)
        labels = (rng.random(size) < 0.5).astype("float64")
        scores = np.clip(0.3 * labels + rng.uniform(0.02, 0.7, size), 0.01, 0.99)
        if number == 1:
            _laid_down(rng, labels, scores, [(1.0, rng.uniform(0.6, 0.95)) for _ in range(2)])
        elif number == 2:
            labels[:] = 0.0
            scores = rng.uniform(0.02, 0.45, size)
            positives = int(rng.integers(1, 3))
            _laid_down(rng, labels, scores, [(1.0, rng.uniform(0.02, 0.45))] * positives)
        elif number == 3:
            unsure = (labels == 0) & (scores > LOW_THRESHOLD) & (scores <= 0.5)
            scores[unsure] = rng.uniform(0.02, 0.23, int(unsure.sum()))
            fixed = [
                (1.0, rng.uniform(0.6, 0.95)),
                (1.0, rng.uniform(0.32, 0.48)),
                (0.0, LOW_THRESHOLD),
            ]
            _laid_down(rng, labels, scores, fixed)
        drawn.append((labels.astype("float32")[:, None], scores.astype("float32")[:, None]))
    return drawn


def _results(submission: Submission, steps: list[dict[str, Any]], **kwargs: object) -> list[float]:
    reply = submission.probe(
        "custom.metric",
        action="BinaryF1Score: update_state, result and reset_state",
        name="BinaryF1Score",
        kwargs=kwargs,
        steps=steps,
    )
    results = replies.field(reply, "results", list, what="the metric results")
    return [replies.scalar(value, what="BinaryF1Score.result()") for value in results]


@pytest.mark.points(2)
@pytest.mark.time_limit(30)
def test_f1_accumulates_over_batches(submission: Submission, batches: list[Batch]) -> None:
    """BinaryF1Score counts over every batch: its result is the F1 of all samples so far"""
    steps = [{"update": [labels, scores]} for labels, scores in batches]
    results = _results(submission, steps)
    for step, received in enumerate(results, start=1):
        labels, scores = (np.concatenate(parts) for parts in zip(*batches[:step], strict=True))
        hint = "keep three counts (true positives, false positives, false negatives) in "
        hint += "variables, add each batch's counts to them in update_state with assign_add, "
        hint += "and compute 2 TP / (2 TP + FP + FN) from the totals in result()."
        per_batch = np.mean([reference.f1(*batch) for batch in batches[:step]])
        if np.isclose(received, per_batch, atol=1e-5):
            hint = f"the result is the mean of the per-batch F1 scores: {hint}"
        check_close(
            received,
            reference.f1(labels, scores),
            f"BinaryF1Score().result() after update_state on {step} batches, the F1 score of "
            f"all {len(labels)} samples,",
            hint=hint,
        )


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_f1_reset_state(submission: Submission, batches: list[Batch]) -> None:
    """reset_state brings BinaryF1Score back to zero, and it counts afresh after"""
    steps: list[dict[str, Any]] = [
        {"update": list(batches[0])},
        {"update": list(batches[1])},
        {"reset": True},
        {"update": list(batches[2])},
    ]
    results = _results(submission, steps)
    hint = "reset_state() assigns 0 to every count: self.true_positives.assign(0.0), and the "
    hint += "same for the false positives and false negatives."
    what = "BinaryF1Score().result() "
    check_close(results[2], 0.0, what + "right after reset_state()", atol=1e-6, hint=hint)
    expected = reference.f1(*batches[2])
    what += "after reset_state() and one more batch (that batch's own F1 score)"
    check_close(results[3], expected, what, hint=hint)


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_f1_threshold(submission: Submission, batches: list[Batch]) -> None:
    """BinaryF1Score(threshold=0.25) predicts 1 for scores above 0.25, not at it"""
    labels, scores = batches[2]
    results = _results(submission, [{"update": [labels, scores]}], threshold=LOW_THRESHOLD)
    hint = "keep the threshold given to __init__ (self.threshold = threshold) and predict 1 "
    hint += "where y_pred > self.threshold: a score equal to it is not above it."
    at_or_above = reference.f1(labels, scores + 1e-6, threshold=LOW_THRESHOLD)
    if np.isclose(results[-1], at_or_above, atol=1e-5):
        hint = f"a score of exactly {LOW_THRESHOLD} counted as positive: {hint}"
    check_close(
        results[-1],
        reference.f1(labels, scores, threshold=LOW_THRESHOLD),
        f"BinaryF1Score(threshold={LOW_THRESHOLD}).result() after one batch of {len(labels)} "
        f"samples (with 0.5 instead of {LOW_THRESHOLD}: {reference.f1(labels, scores):.4f})",
        hint=hint,
    )
