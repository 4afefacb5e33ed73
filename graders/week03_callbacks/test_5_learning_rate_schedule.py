"""Week 3 grader, part 5: ``make_lr_schedule`` (exercise 3.4).

The worker attaches the callback to a tiny model whose optimizer starts at 1e-3 (Adam's
default, which the contract fixes) and reads the optimizer's learning rate after
``on_epoch_begin`` for epochs 0 to N - 1, as ``fit`` would run them; N is drawn afresh at
each grading (``course.testing.fresh_rng``), from 9 to 16, so a schedule that lists the rates
of the first epochs runs out. Keras calls the schedule as ``schedule(epoch, lr)`` and falls back
to ``schedule(epoch)``, so both forms are accepted, and so is a schedule that halves the ``lr``
it receives. The rates are compared with ``1e-3 * 0.5 ** (epoch // 2)`` to a relative 1e-5
(the optimizer stores them as float32).
"""

from __future__ import annotations

import pytest

from course.grading.submission import Submission
from course.testing import check_close, fresh_rng, show_curve

from .callbacks import callback_settings

pytestmark = pytest.mark.visibility("visible")

FACTORY = "make_lr_schedule"
INITIAL_LEARNING_RATE = 1e-3


@pytest.mark.points(1)
def test_is_a_learning_rate_scheduler(submission: Submission) -> None:
    """make_lr_schedule returns a keras.callbacks.LearningRateScheduler"""
    callback_settings(
        submission,
        FACTORY,
        kind="LearningRateScheduler",
        hint="wrap your schedule function: keras.callbacks.LearningRateScheduler(schedule).",
    )


@pytest.mark.points(3)
def test_learning_rate_halves_every_two_epochs(submission: Submission) -> None:
    """the learning rate is 1e-3 in epochs 0-1 and halves every 2 epochs"""
    epochs = int(fresh_rng(submission, "make_lr_schedule epochs").integers(9, 17))
    expected = [INITIAL_LEARNING_RATE * 0.5 ** (epoch // 2) for epoch in range(epochs)]
    rates = submission.learning_rates(
        FACTORY, epochs=epochs, initial_learning_rate=INITIAL_LEARNING_RATE
    )
    show_curve(
        {"expected": expected, "your schedule": rates},
        title="Learning rate per epoch (epoch 0 is the first)",
        x_label="epoch + 1",
        y_label="learning rate",
    )
    check_close(
        rates,
        expected,
        f"the learning rates of epochs 0-{epochs - 1}",
        atol=0.0,
        rtol=1e-5,
        hint="halve the rate every 2 epochs, not every epoch: "
        "1e-3 * 0.5 ** (epoch // 2) gives 1e-3, 1e-3, 5e-4, 5e-4, ...",
    )
