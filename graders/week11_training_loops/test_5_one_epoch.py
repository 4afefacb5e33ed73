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

import numpy as np
import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import check_close, draw_between, fresh_rng

from .reference import scalar

pytestmark = pytest.mark.visibility("visible")

EPOCHS = 2
BATCH_SIZE = (2, 6)  # inclusive, as are the other ranges
BATCHES = (2, 5)
WIDTH = (1, 4)
LOSSES = (0.1, 5.0)
EARLIER = (8.0, 20.0)
CALL = "train_one_epoch(step, dataset, loss_metric)"


@dataclass(frozen=True)
class Epochs:
    """The grader's epochs (the loss of each batch, the losses the metric holds first), and
    what the worker reports of them: what each call of train_one_epoch returned, the losses
    step returned in each epoch, and the metric's result after each epoch."""

    losses: tuple[tuple[float, ...], ...]
    earlier: tuple[float, ...]
    results: list[object]
    recorded: list[object]
    metric_results: list[object]


@pytest.fixture(scope="module")
def epochs(submission: Submission) -> Epochs:
    rng = fresh_rng(submission, "one epoch")
    batch_size, width = draw_between(rng, BATCH_SIZE), draw_between(rng, WIDTH)
    # Each loss is the float32 nearest the number drawn: the number the worker sees.
    losses = tuple(
        tuple(
            float(np.float32(round(rng.uniform(*LOSSES), 2)))
            for _ in range(draw_between(rng, BATCHES))
        )
        for _ in range(EPOCHS)
    )
    earlier = tuple(float(np.float32(round(rng.uniform(*EARLIER), 1))) for _ in range(2))
    features = fresh_rng(submission, "one epoch features")  # ignored by the stand-in step
    data = []
    for epoch in losses:
        labels = np.repeat(np.array(epoch, dtype="float32"), batch_size)[:, None]
        data.append([features.normal(size=(len(labels), width)).astype("float32"), labels])
    value = submission.probe(
        "loops.one_epoch",
        action=CALL,
        epochs=data,
        batch_size=batch_size,
        earlier_losses=list(earlier),
    )
    report = expect(value, dict, what="the epochs report")
    keys = ("results", "losses", "metric_results")
    return Epochs(losses, earlier, *(expect(report.get(key), list, what=key) for key in keys))


@pytest.mark.points(2)
def test_epoch_returns_its_own_mean_loss(epochs: Epochs) -> None:
    """train_one_epoch resets the metric first and returns the epoch's mean loss"""
    seen = list(epochs.earlier)
    for number, (losses, result, metric) in enumerate(
        zip(epochs.losses, epochs.results, epochs.metric_results, strict=True),
        start=1,
    ):
        expected = float(np.mean(losses))
        seen += losses
        hint = (
            "reset the metric, call loss_metric.update_state(step(x, y)) for every batch, and "
            "return float(loss_metric.result())."
        )
        listed = ", ".join(f"{v:g}" for v in losses)
        what = f"the value {CALL} returns for epoch {number}, the mean of its losses {listed},"
        received = scalar(result, what=what, hint=hint)
        if abs(received - np.mean(seen)) <= 1e-5:
            hint = (
                "the result mixes in the losses of earlier epochs: call "
                "loss_metric.reset_state() at the start of every epoch."
            )
        elif abs(received - losses[-1]) <= 1e-5:
            hint = "return the metric's mean, float(loss_metric.result()), not the last loss."
        check_close(received, expected, what, rtol=0, atol=1e-5, hint=hint)
        check_close(
            metric,
            expected,
            f"loss_metric.result() after epoch {number}, the mean loss of the epoch,",
            rtol=0,
            atol=1e-5,
            hint="reset the metric at the start of the epoch, not at its end, and keep "
            "the epoch's losses in it.",
        )


@pytest.mark.points(1)
def test_epoch_calls_step_once_per_batch(epochs: Epochs) -> None:
    """train_one_epoch calls step once for every batch, in order"""
    for number, (losses, recorded) in enumerate(
        zip(epochs.losses, epochs.recorded, strict=True), start=1
    ):
        check_close(
            recorded,
            losses,
            f"the losses of the batches passed to step during epoch {number}, in order,",
            atol=1e-6,
            hint="for x, y in dataset: loss_metric.update_state(step(x, y)): one call per "
            "batch, no repeat, no take.",
        )
