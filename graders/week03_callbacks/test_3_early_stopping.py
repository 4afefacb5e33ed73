"""Week 3 grader, part 3: ``make_early_stopping`` (exercise 3.2).

The settings come from the callback's own attributes. The behaviour is measured without
training: the worker drives the callback through the epochs of logs chosen here, as ``fit``
would, setting every weight of a tiny model to the epoch's index before each epoch ends, so
the weights left after training say which epoch they come from. The grader knows the rule,
so both the stopping epoch and the weights left are judged against its own answer.

Drawn afresh at each grading (``course.testing.fresh_rng``), with three decimals: the
number of epochs (12 to 16), the epoch with the lowest ``val_loss`` (the 3rd to the 7th
from the end, so that every patience from 2 to 5 stops within the logs), ``val_loss``
falling from 1.2-1.6 to its lowest by steps of 0.035-0.12, then staying 0.035-0.5 above its
lowest (rising and falling at random), and ``loss`` falling all along from 1.0-1.5 by steps
of 0.015-0.06, so a callback that watches ``loss`` never stops. Every ``val_loss`` before the
lowest is at least 0.03 below the one before it and every one after it at least 0.03 above
the lowest, so a small ``min_delta`` does not change the outcome. Exact answers: the
callback must stop 2 to 5 epochs after the lowest ``val_loss`` and leave that epoch's
weights in place.

Equivalent mutants:
    make_early_stopping:default-argument:monitor - EarlyStopping's default monitor is "val_loss":
        leaving it out monitors what the exercise asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail, fresh_rng

from .callbacks import callback_settings, check_setting

pytestmark = pytest.mark.visibility("visible")

FACTORY = "make_early_stopping"
PATIENCE = range(2, 6)


@dataclass(frozen=True)
class Logs:
    """The logs of each epoch, drawn for this grading."""

    val_loss: tuple[float, ...]
    loss: tuple[float, ...]

    @property
    def best(self) -> int:
        """The 0-based epoch with the lowest ``val_loss``."""
        return self.val_loss.index(min(self.val_loss))

    def describe(self) -> str:
        return ", ".join(f"{value:.3f}" for value in self.val_loss)


@pytest.fixture(scope="module")
def logs(submission: Submission) -> Logs:
    rng = fresh_rng(submission, "make_early_stopping logs")
    epochs = int(rng.integers(12, 17))
    best = int(rng.integers(2, epochs - 6))
    falling = float(rng.uniform(1.2, 1.6)) - np.cumsum(
        np.concatenate([[0.0], rng.uniform(0.035, 0.12, size=best)])
    )
    after = falling[-1] + rng.uniform(0.035, 0.5, size=epochs - best - 1)
    loss = float(rng.uniform(1.0, 1.5)) - np.cumsum(
        np.concatenate([[0.0], rng.uniform(0.015, 0.06, size=epochs - 1)])
    )
    return Logs(
        val_loss=tuple(round(float(v), 3) for v in np.concatenate([falling, after])),
        loss=tuple(round(float(v), 3) for v in loss),
    )


@pytest.fixture(scope="module")
def settings(submission: Submission) -> dict[str, Any]:
    return callback_settings(
        submission, FACTORY, kind="EarlyStopping", hint="return keras.callbacks.EarlyStopping(...)."
    )


@pytest.fixture(scope="module")
def trace(submission: Submission, logs: Logs) -> dict[str, Any]:
    """Where the callback stopped (0-based epoch or None) and whose weights it left."""
    epochs = zip(logs.loss, logs.val_loss, strict=True)
    entries = [{"loss": loss, "val_loss": val_loss} for loss, val_loss in epochs]
    return submission.early_stopping(FACTORY, logs=entries)


@pytest.mark.points(1)
def test_monitors_the_validation_loss(settings: dict[str, Any]) -> None:
    """early stopping monitors val_loss"""
    check_setting(
        settings,
        "monitor",
        "val_loss",
        hint="pass monitor='val_loss': the loss on the validation data stops falling when "
        "the model starts to overfit, while the training loss ('loss') keeps falling.",
    )


@pytest.mark.points(1)
def test_restore_best_weights_is_on(settings: dict[str, Any]) -> None:
    """early stopping is created with restore_best_weights=True"""
    check_setting(
        settings,
        "restore_best_weights",
        True,
        hint="pass restore_best_weights=True, otherwise the model keeps the weights of "
        "the last epoch, which are worse than the best ones.",
    )


@pytest.mark.points(2)
def test_stops_after_two_to_five_epochs_without_improvement(
    trace: dict[str, Any], logs: Logs
) -> None:
    """training stops 2 to 5 epochs after the lowest val_loss"""
    stopped = trace.get("stopped_after_epoch")
    if stopped is not None:
        stopped = int(expect(stopped, int, what="the stopping epoch"))
    if stopped is None or stopped - logs.best not in PATIENCE:
        first, last = logs.best + 1 + PATIENCE[0], logs.best + 1 + PATIENCE[-1]
        raise fail(
            "the epoch after which early stopping ends training",
            expected=f"epoch {first} to {last}, i.e. {PATIENCE[0]} to {PATIENCE[-1]} epochs "
            f"after the lowest val_loss at epoch {logs.best + 1} (val_loss per epoch: "
            f"{logs.describe()}; loss falls every epoch)",
            received=f"it never stopped in {len(logs.val_loss)} epochs"
            if stopped is None
            else f"epoch {stopped + 1}",
            hint="monitor 'val_loss' (the training loss keeps falling here) and set patience, "
            "the number of epochs without improvement to wait, between 2 and 5.",
        )


@pytest.mark.points(2)
def test_restores_the_weights_of_the_best_epoch(trace: dict[str, Any], logs: Logs) -> None:
    """after stopping, the model has the weights of the epoch with the lowest val_loss"""
    source = float(expect(trace.get("weights_from_epoch"), (int, float), what="the weights"))
    if source != logs.best:
        raise fail(
            "the model's weights after training",
            expected=f"those of epoch {logs.best + 1}, the epoch with the lowest val_loss "
            f"(val_loss per epoch: {logs.describe()})",
            received=f"the weights of epoch {round(source) + 1}"
            if source == round(source)
            else f"weights from no epoch ({source})",
            hint="pass restore_best_weights=True and monitor 'val_loss'.",
        )
