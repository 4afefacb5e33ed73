"""Week 3 grader, part 3: ``make_early_stopping`` (exercise 3.2).

The settings come from the callback's own attributes. The behaviour is measured without
training: the worker drives the callback through 14 epochs of logs chosen here, as ``fit``
would, setting every weight of a tiny model to the epoch's index before each epoch ends, so
the weights left after training say which epoch they come from. ``val_loss`` falls to its
lowest at epoch 5 (index 4), then rises; ``loss`` falls all along, so a callback that
watches ``loss`` never stops. Every step of ``val_loss`` is at least 0.03, so a small
``min_delta`` does not change the outcome. Exact answers: the callback must stop 2 to 5
epochs after epoch 5 and leave epoch 5's weights in place.
"""

from __future__ import annotations

from typing import Any

import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail

FACTORY = "make_early_stopping"
VAL_LOSS = (1.00, 0.80, 0.65, 0.55, 0.50, 0.56, 0.60, 0.63, 0.66, 0.70, 0.74, 0.78, 0.82, 0.86)
BEST = VAL_LOSS.index(min(VAL_LOSS))
LOGS = [
    {"loss": round(1.20 - 0.07 * epoch, 2), "val_loss": val_loss}
    for epoch, val_loss in enumerate(VAL_LOSS)
]
PATIENCE = range(2, 6)


@pytest.fixture(scope="module")
def settings(submission: Submission) -> dict[str, Any]:
    description = submission.callback_settings(FACTORY)
    chain = expect(description.get("class_chain"), list, what="the class chain")
    if "EarlyStopping" not in chain:
        raise fail(
            f"{FACTORY}()",
            expected="a keras.callbacks.EarlyStopping",
            received=f"a {chain[0] if chain else 'callback'}",
            hint="return keras.callbacks.EarlyStopping(...).",
        )
    attributes: dict[str, Any] = expect(
        description.get("attributes"), dict, what="the callback's settings"
    )
    return attributes


@pytest.fixture(scope="module")
def trace(submission: Submission) -> dict[str, Any]:
    """Where the callback stopped (0-based epoch or None) and whose weights it left."""
    return submission.early_stopping(FACTORY, logs=LOGS)


def _val_losses() -> str:
    return ", ".join(f"{value:.2f}" for value in VAL_LOSS)


@pytest.mark.points(1)
def test_monitors_the_validation_loss(settings: dict[str, Any]) -> None:
    """early stopping monitors val_loss"""
    monitor = settings.get("monitor")
    if monitor != "val_loss":
        raise fail(
            "the quantity EarlyStopping monitors",
            expected="'val_loss'",
            received=repr(monitor),
            hint="pass monitor='val_loss': the loss on the validation data stops falling when "
            "the model starts to overfit, while the training loss ('loss') keeps falling.",
        )


@pytest.mark.points(1)
def test_restore_best_weights_is_on(settings: dict[str, Any]) -> None:
    """early stopping is created with restore_best_weights=True"""
    restore = settings.get("restore_best_weights")
    if restore is not True:
        raise fail(
            "restore_best_weights",
            expected=True,
            received=restore,
            hint="pass restore_best_weights=True, otherwise the model keeps the weights of "
            "the last epoch, which are worse than the best ones.",
        )


@pytest.mark.points(2)
def test_stops_after_two_to_five_epochs_without_improvement(trace: dict[str, Any]) -> None:
    """training stops 2 to 5 epochs after the lowest val_loss"""
    stopped = trace.get("stopped_after_epoch")
    expected = (
        f"epoch {BEST + 1 + PATIENCE[0]} to {BEST + 1 + PATIENCE[-1]}, i.e. {PATIENCE[0]} to "
        f"{PATIENCE[-1]} epochs after the lowest val_loss at epoch {BEST + 1} "
        f"(val_loss per epoch: {_val_losses()}; loss falls every epoch)"
    )
    what = "the epoch after which early stopping ends training"
    if stopped is None:
        raise fail(
            what,
            expected=expected,
            received=f"it never stopped in {len(VAL_LOSS)} epochs",
            hint="monitor 'val_loss' (the training loss keeps falling here) and set patience "
            "between 2 and 5.",
        )
    stopped = int(expect(stopped, int, what="the stopping epoch"))
    if stopped - BEST not in PATIENCE:
        raise fail(
            what,
            expected=expected,
            received=f"epoch {stopped + 1}",
            hint="patience is the number of epochs without improvement to wait: set it "
            "between 2 and 5, and monitor 'val_loss'.",
        )


@pytest.mark.points(2)
def test_restores_the_weights_of_the_best_epoch(trace: dict[str, Any]) -> None:
    """after stopping, the model has the weights of the epoch with the lowest val_loss"""
    source = float(expect(trace.get("weights_from_epoch"), (int, float), what="the weights"))
    if source != BEST:
        received = (
            f"the weights of epoch {round(source) + 1}"
            if source == round(source)
            else f"weights from no epoch ({source})"
        )
        raise fail(
            "the model's weights after training",
            expected=f"those of epoch {BEST + 1}, the epoch with the lowest val_loss "
            f"(val_loss per epoch: {_val_losses()})",
            received=received,
            hint="pass restore_best_weights=True and monitor 'val_loss'.",
        )
