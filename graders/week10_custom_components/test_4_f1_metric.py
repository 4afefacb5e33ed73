"""Week 10 grader, part 4: a metric with state, ``BinaryF1Score`` (exercise 10.4).

The worker makes the metric and drives it with generated batches: labels 0/1 and scores in
(0, 1), shape ``(n, 1)``, batches of 8, 5, 12 and 7 samples; the metric's ``result()`` after
each step comes back. The grader computes the F1 score of *all* the samples given so far
with numpy: 0.9091, 0.8333, 0.7407 and 0.7097 after batches 1 to 4. Averaging the
per-batch F1 scores instead gives 0.9091, 0.4545, 0.5253 and 0.5189 (the second batch has
one positive label and no positive prediction, so its own F1 score is 0). ``reset_state``
must bring every count back to 0: the result is then 0, and after the third batch, that
batch's own F1 score, 0.6667 (0.7407 when the counts of the first two remain). With
``threshold=0.3`` the score of the third batch alone is 0.8889 (0.6667 with 0.5).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import fail

BATCH_SIZES = (8, 5, 12, 7)
DATA_SEED = 620


def _batches() -> list[tuple[np.ndarray, np.ndarray]]:
    """(labels, scores), float32 ``(n, 1)`` each; scores lean towards their labels."""
    rng = np.random.default_rng(DATA_SEED)
    batches = []
    for size in BATCH_SIZES:
        labels = (rng.random(size) < 0.5).astype("float32")
        scores = np.clip(0.3 * labels + rng.uniform(0.02, 0.7, size), 0.01, 0.99)
        batches.append((labels[:, None], scores.astype("float32")[:, None]))
    return batches


def _results(
    submission: Submission, replies: Any, steps: list[dict[str, Any]], **kwargs: Any
) -> list[float]:
    reply = submission.probe(
        "custom.metric",
        action="BinaryF1Score: update_state, result and reset_state",
        name="BinaryF1Score",
        kwargs=kwargs,
        steps=steps,
    )
    results = replies.field(reply, "results", list, what="the metric results")
    return [replies.scalar(value, what="BinaryF1Score.result()") for value in results]


def _until(batches: list[tuple[np.ndarray, np.ndarray]], end: int) -> tuple[np.ndarray, ...]:
    labels = np.concatenate([labels for labels, _ in batches[:end]])
    scores = np.concatenate([scores for _, scores in batches[:end]])
    return labels, scores


@pytest.mark.points(2)
@pytest.mark.time_limit(30)
def test_f1_accumulates_over_batches(submission: Submission, reference: Any, replies: Any) -> None:
    """BinaryF1Score counts over every batch: its result is the F1 of all samples so far"""
    batches = _batches()
    steps = [{"update": [labels, scores]} for labels, scores in batches]
    results = _results(submission, replies, steps)
    for step, received in enumerate(results, start=1):
        expected = reference.f1(*_until(batches, step))
        if not np.isclose(received, expected, atol=1e-5):
            per_batch = np.mean([reference.f1(*batch) for batch in batches[:step]])
            averaged = np.isclose(received, per_batch, atol=1e-5)
            raise fail(
                f"BinaryF1Score().result() after update_state on {step} batches "
                f"({sum(BATCH_SIZES[:step])} samples)",
                expected=f"{expected:.4f}, the F1 score of all {sum(BATCH_SIZES[:step])} samples",
                received=f"{received:.4f}"
                + (" (the mean of the per-batch F1 scores)" if averaged else ""),
                hint="keep three counts (true positives, false positives, false negatives) in "
                "variables, add each batch's counts to them in update_state with assign_add, "
                "and compute 2 TP / (2 TP + FP + FN) from the totals in result().",
            )


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_f1_reset_state(submission: Submission, reference: Any, replies: Any) -> None:
    """reset_state brings BinaryF1Score back to zero, and it counts afresh after"""
    batches = _batches()
    steps = [
        {"update": list(batches[0])},
        {"update": list(batches[1])},
        {"reset": True},
        {"update": list(batches[2])},
    ]
    results = _results(submission, replies, steps)
    hint = "reset_state() assigns 0 to every count: self.true_positives.assign(0.0), and the "
    hint += "same for the false positives and false negatives."
    if not np.isclose(results[2], 0.0, atol=1e-6):
        raise fail(
            "BinaryF1Score().result() right after reset_state()",
            expected="0.0",
            received=f"{results[2]:.4f}",
            hint=hint,
        )
    expected = reference.f1(*batches[2])
    if not np.isclose(results[3], expected, atol=1e-5):
        raise fail(
            "BinaryF1Score().result() after reset_state() and one more batch",
            expected=f"{expected:.4f}, the F1 score of that batch alone",
            received=f"{results[3]:.4f}",
            hint=hint,
        )


@pytest.mark.points(1)
@pytest.mark.time_limit(30)
def test_f1_threshold(submission: Submission, reference: Any, replies: Any) -> None:
    """BinaryF1Score(threshold=0.3) predicts 1 for scores above 0.3"""
    labels, scores = _batches()[2]
    results = _results(submission, replies, [{"update": [labels, scores]}], threshold=0.3)
    expected = reference.f1(labels, scores, threshold=0.3)
    if not np.isclose(results[-1], expected, atol=1e-5):
        raise fail(
            f"BinaryF1Score(threshold=0.3).result() after one batch of {len(labels)} samples",
            expected=f"{expected:.4f} (with 0.5 instead of 0.3: "
            f"{reference.f1(labels, scores):.4f})",
            received=f"{results[-1]:.4f}",
            hint="keep the threshold given to __init__ (self.threshold = threshold) and "
            "predict 1 where y_pred > self.threshold.",
        )
