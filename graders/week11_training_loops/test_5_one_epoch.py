"""Week 11 grader, part 5: one epoch and its loss metric (exercise 11.5).

``train_one_epoch(step, dataset, loss_metric)`` is driven for two epochs with one
``keras.metrics.Mean`` (the probe ``loops.one_epoch``). The ``step`` is a stand-in that
trains nothing: its "loss" is the mean label of the batch, so the grader crafts every loss
in advance. Drawn afresh at each grading (``fresh_rng(submission, "one epoch")``; ranges
inclusive): the batch size, 2 to 6, the number of batches of each epoch, 2 to 5, each
batch's loss (its labels, constant within the batch), from 0.1 to 5 with two decimals,
the examples' features (1 to 4 standard normal values; the stand-in ignores them), and the
two losses the metric already holds before the first epoch, as if an earlier epoch had just
ended: 8 to 20 with one decimal, above every loss of the two epochs, so that a result that
mixes them in is always off, by at least 0.8.

Exact answers, no thresholds (tolerance 1e-5): each epoch must return the mean of its own
batch losses. Without a reset the epochs report the running mean of everything seen;
resetting at the end of the epoch instead of the start reports that running mean for the
first epoch and leaves an empty metric behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail, fresh_rng

pytestmark = pytest.mark.visibility("visible")

EPOCHS = 2
BATCH_SIZE = (2, 6)  # inclusive, as are the other ranges
BATCHES = (2, 5)
WIDTH = (1, 4)
LOSSES = (0.1, 5.0)
EARLIER = (8.0, 20.0)
CALL = "train_one_epoch(step, dataset, loss_metric)"


@dataclass(frozen=True)
class Plan:
    """The grader's epochs: the loss of each batch, and the losses the metric holds first."""

    batch_size: int
    width: int
    epoch_losses: tuple[tuple[float, ...], ...]
    earlier_losses: tuple[float, ...]


def _as_float32(value: float) -> float:
    """The number the worker sees: the float32 nearest ``value``."""
    return float(np.float32(value))


@pytest.fixture(scope="module")
def plan(submission: Submission) -> Plan:
    rng = fresh_rng(submission, "one epoch")

    def size(bounds: tuple[int, int]) -> int:
        return int(rng.integers(bounds[0], bounds[1] + 1))

    batch_size, width = size(BATCH_SIZE), size(WIDTH)
    epoch_losses = tuple(
        tuple(_as_float32(round(rng.uniform(*LOSSES), 2)) for _ in range(size(BATCHES)))
        for _ in range(EPOCHS)
    )
    earlier = tuple(_as_float32(round(rng.uniform(*EARLIER), 1)) for _ in range(2))
    return Plan(batch_size, width, epoch_losses, earlier)


@pytest.fixture(scope="module")
def epochs(submission: Submission, plan: Plan) -> dict[str, Any]:
    rng = fresh_rng(submission, "one epoch features")
    data = []
    for losses in plan.epoch_losses:
        labels = np.repeat(np.array(losses, dtype="float32"), plan.batch_size)[:, None]
        features = rng.normal(size=(len(labels), plan.width)).astype("float32")
        data.append([features, labels])
    value = submission.probe(
        "loops.one_epoch",
        action=CALL,
        epochs=data,
        batch_size=plan.batch_size,
        earlier_losses=list(plan.earlier_losses),
    )
    report = expect(value, dict, what="the epochs report")
    for key in ("results", "losses", "metric_results"):
        expect(report.get(key), list, what=key)
    return report  # type: ignore[no-any-return]


def _number(value: object) -> float | None:
    try:
        array = np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        return None
    return float(array.reshape(())) if array.size == 1 else None


@pytest.mark.points(2)
def test_epoch_returns_its_own_mean_loss(epochs: dict[str, Any], plan: Plan) -> None:
    """train_one_epoch resets the metric first and returns the epoch's mean loss"""
    seen = list(plan.earlier_losses)
    for number, (losses, result, metric) in enumerate(
        zip(plan.epoch_losses, epochs["results"], epochs["metric_results"], strict=True),
        start=1,
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
def test_epoch_calls_step_once_per_batch(epochs: dict[str, Any], plan: Plan) -> None:
    """train_one_epoch calls step once for every batch, in order"""
    for number, (losses, recorded) in enumerate(
        zip(plan.epoch_losses, epochs["losses"], strict=True), start=1
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
