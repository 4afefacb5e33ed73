"""Week 11 grader, part 5: one epoch and its loss metric (exercise 11.5).

``train_one_epoch(step, dataset, loss_metric)`` is driven for two epochs with one
``keras.metrics.Mean`` (the probe ``loops.one_epoch``). The ``step`` is a stand-in that
trains nothing: its "loss" is the mean label of the batch, so the grader crafts every loss
in advance. Each epoch is 12 examples in batches of 4 whose labels are constant per batch:
losses 3, 4, 5 in the first epoch (mean 4) and 0.5, 1, 1.5 in the second (mean 1). Before
the first epoch the metric already holds the losses 10 and 20, as if an earlier epoch had
just ended.

Exact answers, no thresholds (tolerance 1e-5). Without a reset the epochs report 8.4 and
5.625 (the running mean of everything seen); resetting at the end of the epoch instead of
the start reports 8.4 for the first epoch and leaves an empty metric behind.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail

BATCH_SIZE = 4
EPOCH_LOSSES = ((3.0, 4.0, 5.0), (0.5, 1.0, 1.5))
EARLIER_LOSSES = (10.0, 20.0)
FEATURES = np.random.default_rng(3).normal(size=(12, 2)).astype("float32")
CALL = "train_one_epoch(step, dataset, loss_metric)"


def _labels(losses: tuple[float, ...]) -> np.ndarray:
    return np.repeat(np.array(losses, dtype="float32"), BATCH_SIZE)[:, None]


@pytest.fixture(scope="module")
def epochs(submission: Submission) -> dict[str, Any]:
    value = submission.probe(
        "loops.one_epoch",
        action=CALL,
        epochs=[[FEATURES, _labels(losses)] for losses in EPOCH_LOSSES],
        batch_size=BATCH_SIZE,
        earlier_losses=list(EARLIER_LOSSES),
    )
    report = expect(value, dict, what="the epochs report")
    for key in ("results", "losses", "metric_results"):
        expect(report.get(key), list, what=key)
    return report  # type: ignore[no-any-return]


def _number(value: Any) -> float | None:
    try:
        array = np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        return None
    return float(array.reshape(())) if array.size == 1 else None


@pytest.mark.points(2)
def test_epoch_returns_its_own_mean_loss(epochs: dict[str, Any]) -> None:
    """train_one_epoch resets the metric first and returns the epoch's mean loss"""
    seen = list(EARLIER_LOSSES)
    for number, (losses, result, metric) in enumerate(
        zip(EPOCH_LOSSES, epochs["results"], epochs["metric_results"], strict=True), start=1
    ):
        expected = float(np.mean(losses))
        seen += losses
        received = _number(result)
        if received is None or abs(received - expected) > 1e-5:
            if received is not None and abs(received - np.mean(seen)) <= 1e-5:
                hint = (
                    "the result mixes in the losses of earlier epochs: call "
                    "loss_metric.reset_state() at the start of every epoch."
                )
            elif received is not None and abs(received - losses[-1]) <= 1e-5:
                hint = "return the metric's mean, float(loss_metric.result()), not the last loss."
            else:
                hint = (
                    "reset the metric, call loss_metric.update_state(step(x, y)) for every "
                    "batch, and return float(loss_metric.result())."
                )
            raise fail(
                f"the value {CALL} returns for epoch {number}, whose batch losses are "
                + ", ".join(f"{v:g}" for v in losses),
                expected=f"their mean, {expected:g}",
                received=repr(result) if received is None else f"{received:g}",
                hint=hint,
            )
        if abs(float(metric) - expected) > 1e-5:
            raise fail(
                f"loss_metric.result() after epoch {number}",
                expected=f"{expected:g}, the mean loss of the epoch",
                received=f"{float(metric):g}",
                hint="reset the metric at the start of the epoch, not at its end, and keep "
                "the epoch's losses in it.",
            )


@pytest.mark.points(1)
def test_epoch_calls_step_once_per_batch(epochs: dict[str, Any]) -> None:
    """train_one_epoch calls step once for every batch, in order"""
    for number, (losses, recorded) in enumerate(
        zip(EPOCH_LOSSES, epochs["losses"], strict=True), start=1
    ):
        values = np.asarray(recorded, dtype="float64")
        if len(values) != len(losses) or not np.allclose(values, losses, atol=1e-6):
            raise fail(
                f"the batches passed to step during epoch {number} (their losses, in order)",
                expected=", ".join(f"{v:g}" for v in losses),
                received=", ".join(f"{v:g}" for v in recorded) or "none",
                hint="for x, y in dataset: loss_metric.update_state(step(x, y)): one call per "
                "batch, no repeat, no take.",
            )
