"""Week 3 grader, part 5: ``make_lr_schedule`` (exercise 3.4).

The worker attaches the callback to a tiny model whose optimizer starts at 1e-3 (Adam's
default) and reads the optimizer's learning rate after ``on_epoch_begin`` for epochs 0 to 7,
as ``fit`` would run them. Keras calls the schedule as ``schedule(epoch, lr)`` and falls back
to ``schedule(epoch)``, so both forms are accepted, and so is a schedule that halves the ``lr``
it receives. The rates are compared with ``1e-3 * 0.5 ** (epoch // 2)`` to a relative 1e-5
(the optimizer stores them as float32).
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail

FACTORY = "make_lr_schedule"
EPOCHS = 8
INITIAL_LEARNING_RATE = 1e-3
EXPECTED = [INITIAL_LEARNING_RATE * 0.5 ** (epoch // 2) for epoch in range(EPOCHS)]


def _rates(values: list[float]) -> str:
    return ", ".join(f"{value:.4g}" for value in values)


@pytest.mark.points(1)
def test_is_a_learning_rate_scheduler(submission: Submission) -> None:
    """make_lr_schedule returns a keras.callbacks.LearningRateScheduler"""
    description = submission.callback_settings(FACTORY)
    chain = expect(description.get("class_chain"), list, what="the class chain")
    if "LearningRateScheduler" not in chain:
        raise fail(
            f"{FACTORY}()",
            expected="a keras.callbacks.LearningRateScheduler",
            received=f"a {chain[0] if chain else 'callback'}",
            hint="wrap your schedule function: keras.callbacks.LearningRateScheduler(schedule).",
        )


@pytest.mark.points(3)
def test_learning_rate_halves_every_two_epochs(submission: Submission) -> None:
    """the learning rate is 1e-3 in epochs 0-1 and halves every 2 epochs"""
    rates = submission.learning_rates(
        FACTORY, epochs=EPOCHS, initial_learning_rate=INITIAL_LEARNING_RATE
    )
    if len(rates) != EPOCHS:
        raise fail("the number of learning rates", expected=EPOCHS, received=len(rates))
    for epoch, (rate, expected) in enumerate(zip(rates, EXPECTED, strict=True)):
        if not np.isclose(rate, expected, rtol=1e-5, atol=0.0):
            raise fail(
                f"the learning rate in epoch {epoch}",
                expected=f"{expected:.4g} (epochs 0-7: {_rates(EXPECTED)})",
                received=f"{rate:.4g} (epochs 0-7: {_rates(rates)})",
                hint="halve the rate every 2 epochs, not every epoch: "
                "1e-3 * 0.5 ** (epoch // 2) gives 1e-3, 1e-3, 5e-4, 5e-4, ...",
            )
