"""Week 11 grader, part 3: one training step with ``tf.GradientTape`` (exercise 11.3).

The worker calls ``train_step(model, optimizer, loss_fn, x, y)`` 40 times, on 40 batches of
6 to 10 examples, with the grader's model (3 to 5 inputs, a hidden ``Dense`` of 2 to 4
units), weights and batches all drawn afresh at each grading (see ``reference.py``), plain
``SGD(learning_rate=0.5)`` and ``keras.losses.BinaryCrossentropy()``, and returns the
weights before and after the first step, and every returned loss. A ``None`` gradient is
refused by the probe's optimizer with a message that explains it (the forward pass ran
outside the tape).

* The first loss must equal the grader's binary cross-entropy at the initial weights, and
  the weights after the first step ``w - 0.5 * dloss/dw`` for all four variables (exact,
  tolerance 1e-5 + 1e-4 relative).
* The losses must fall: the mean of the last 10 losses below 0.7 times the mean of the
  first 10. Training is deterministic (no randomness anywhere), so the grader keeps only
  draws on which, in float64 numpy, a correct step gives a ratio of at most 0.5, training
  only the last layer at most 0.6 (that mistake fails the update check, not this one) and
  no update at all at least 0.85 (``reference.py``). (The fixed problem this check used
  before gave 0.333, 0.432 and 0.948.)
* The model must be called with ``training=True``. Self-reported: the worker's model
  records the ``training`` argument of each call; with this grader's Dense layers the flag
  changes no number (a Dropout or BatchNormalization layer would behave as at inference
  without it), so no weight or loss can show it. Worth 1 point.

Equivalent mutants:
    train_step:flip-strict:False - zip(gradients, variables, strict=False): tape.gradient
        returns one gradient per variable, so the two lists always have the same length.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import fail

from .reference import Reference, StepsReport, scalar

pytestmark = pytest.mark.visibility("visible")

FALL_RATIO = 0.7
WINDOW = 10
CALL = "train_step(model, optimizer, loss_fn, x, y)"
LOSS_HINT = "return loss, the scalar that loss_fn(y, predictions) gives inside the tape."


@pytest.fixture(scope="module")
def steps(submission: Submission, reference: Reference) -> StepsReport:
    return reference.train(submission, compiled=False, batches=reference.batches)


@pytest.mark.points(1)
def test_train_step_returns_the_batch_loss(steps: StepsReport, reference: Reference) -> None:
    """train_step returns the batch's binary cross-entropy before the update"""
    reference.check_first_loss(
        steps,
        what=f"the loss {CALL} returns for the grader's first batch",
        hint="loss = loss_fn(y, predictions), labels first, with predictions = model(x, "
        "training=True), returned as it is.",
    )


@pytest.mark.points(3)
def test_train_step_moves_weights_down_the_gradient(
    steps: StepsReport, reference: Reference
) -> None:
    """train_step changes every trainable weight by -learning_rate x its gradient"""
    reference.check_update(steps, what=f"one call of {CALL}")


@pytest.mark.points(1)
def test_train_step_losses_fall(steps: StepsReport) -> None:
    """over 40 steps on new batches, the loss falls"""
    losses = np.array(
        [
            scalar(value, what=f"the loss of step {i + 1}", hint=LOSS_HINT)
            for i, value in enumerate(steps.losses)
        ]
    )
    first, last = losses[:WINDOW].mean(), losses[-WINDOW:].mean()
    if np.all(np.isfinite(losses)) and last < FALL_RATIO * first:
        return
    raise fail(
        f"the mean loss of the last {WINDOW} of {len(losses)} steps of {CALL}",
        expected=f"below {FALL_RATIO} x the mean of the first {WINDOW} ({first:.4f}): "
        f"below {FALL_RATIO * first:.4f}",
        received=f"{last:.4f} (losses: " + ", ".join(f"{v:.3f}" for v in losses[:6]) + ", ...)",
        hint="each step must update the model: optimizer.apply_gradients(zip(gradients, "
        "model.trainable_variables)) after tape.gradient(loss, model.trainable_variables).",
    )


@pytest.mark.points(1)
def test_train_step_runs_the_model_in_training_mode(steps: StepsReport) -> None:
    """train_step calls the model with training=True"""
    if steps.training_flags == ["True"]:
        return
    received = ", ".join(
        "no training argument" if flag == "None" else f"training={flag}"
        for flag in steps.training_flags
    )
    raise fail(
        f"the forward pass in {CALL}",
        expected="model(x, training=True)",
        received=f"calls with {received or 'no call of the model'} (reported by the worker)",
        hint="pass training=True in the forward pass inside the tape: layers such as Dropout "
        "and BatchNormalization train only in training mode, and behave as at inference "
        "without it.",
    )
