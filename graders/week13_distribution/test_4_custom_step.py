"""Week 13 grader, part 4: the loss and one step of a custom loop (exercises 13.5, 13.6).

``compute_loss`` is called in the worker (outside any replica) on examples drawn afresh at
each grading (``fresh_rng(submission, "compute loss")``; ranges inclusive): 3 to 12
examples, 3 to 12 classes, integer labels and normal logits (standard deviation 2), for
two different global batch sizes from ``n + 1`` to ``4 n`` (never the ``n`` examples
themselves); it must return the summed sparse categorical cross-entropy divided by the
global batch size, computed here in float64.

For the step, this process draws a small model (``fresh_rng(submission, "distributed
step")``): ``Dense(hidden, tanh)`` then ``Dense(classes)`` (logits) on ``inputs`` inputs,
with 3 to 6 inputs, 3 to 7 hidden units and 3 to 6 classes, its weights (kernels normal
with standard deviation 0.8, biases 0.1), and a global batch of 2 x 4 to 2 x 10 examples
(standard normal features, random labels). The worker creates that model and
``SGD(learning_rate=0.5)`` in the scope of the grader's MirroredStrategy over its two
logical CPUs, distributes the batch (half of it per replica), calls
``distributed_train_step(strategy, model, optimizer, batch, global_batch)`` once and returns
the new weights and the returned loss. This process computes the expected result of one
ordinary step on the whole global batch itself, in numpy (forward pass, mean
cross-entropy, backpropagation, ``w - 0.5 * gradient``). A distributed step done right
equals it up to float32 rounding (the reference solution, on the fixed problem this check
used before, a batch of 16: weights within 3.4e-8, loss within 1.5e-9); the tolerance is
1e-5 (absolute and relative), while weight changes and losses are of order 0.1 and 1. The
usual mistakes are off by a factor of 2 with 2 replicas (a loss divided by the examples of
one replica doubles the update; a reduce with MEAN halves the reported loss; a SUM of
per-replica means doubles it), and the checks name the factor they find.

The replica step must call the model with ``training=True``. Self-reported (1 point): the
worker's model records the ``training`` argument of each call; with these Dense layers the
flag changes no number, so neither the weights nor the loss can show it.

Equivalent mutants:
    distributed_train_step.replica_step:flip-strict:False - zip(gradients, variables,
        strict=False): tape.gradient returns one gradient per variable, so the two lists
        always have the same length.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.reports import expect, expect_array
from course.grading.submission import Submission
from course.testing import check_array, draw_between, fail, fresh_rng, note

from . import replies
from .replies import REPLICAS

pytestmark = pytest.mark.visibility("visible")

LEARNING_RATE = 0.5
PER_REPLICA = (4, 10)  # inclusive, as are the other ranges
INPUTS, HIDDEN, CLASSES = (3, 6), (3, 7), (3, 6)
LOSS_EXAMPLES, LOSS_CLASSES = (3, 12), (3, 12)
TOLERANCE = 1e-5


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    """The log-probabilities of each row of ``logits``, float64."""
    shifted = logits.astype("float64") - logits.max(axis=1, keepdims=True)
    log_probabilities: np.ndarray = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return log_probabilities


class Problem:
    """The grader's model, batch and the expected single-device step, in float64."""

    def __init__(self, rng: np.random.Generator) -> None:
        inputs, hidden, classes = (
            draw_between(rng, INPUTS),
            draw_between(rng, HIDDEN),
            draw_between(rng, CLASSES),
        )
        self.global_batch = REPLICAS * draw_between(rng, PER_REPLICA)
        self.x = rng.normal(size=(self.global_batch, inputs)).astype("float32")
        self.y = rng.integers(0, classes, size=self.global_batch).astype("int32")
        shapes = [(inputs, hidden), (hidden,), (hidden, classes), (classes,)]
        self.weights = [  # kernels with standard deviation 0.8, biases 0.1
            rng.normal(scale=0.8 if len(shape) == 2 else 0.1, size=shape).astype("float32")
            for shape in shapes
        ]
        kernel, bias, output_kernel, output_bias = (w.astype("float64") for w in self.weights)
        x = self.x.astype("float64")
        hidden = np.tanh(x @ kernel + bias)
        log_probabilities = _log_softmax(hidden @ output_kernel + output_bias)
        rows = np.arange(self.global_batch)
        self.loss = float(-log_probabilities[rows, self.y].mean())
        d_logits = np.exp(log_probabilities)  # the gradient of the mean cross-entropy
        d_logits[rows, self.y] -= 1.0
        d_logits /= self.global_batch
        d_hidden = (d_logits @ output_kernel.T) * (1.0 - hidden**2)
        gradients = [x.T @ d_hidden, d_hidden.sum(0), hidden.T @ d_logits, d_logits.sum(0)]
        self.expected = [
            w.astype("float64") - LEARNING_RATE * g
            for w, g in zip(self.weights, gradients, strict=True)
        ]


@pytest.fixture(scope="module")
def problem(submission: Submission) -> Problem:
    return Problem(fresh_rng(submission, "distributed step"))


@pytest.fixture(scope="module")
def stepped(submission: Submission, problem: Problem) -> dict[str, Any]:
    """The worker's weights and loss after one ``distributed_train_step``."""
    value = replies.probe(
        submission,
        "distribution.step",
        action=f"distributed_train_step(strategy, model, optimizer, batch, {problem.global_batch})",
        function="distributed_train_step",
        weights=problem.weights,
        x=problem.x,
        y=problem.y,
        learning_rate=LEARNING_RATE,
    )
    weights = expect(value.get("weights"), list, what="the weights after the step")
    value["weights"] = [expect_array(w, what="a weight", kinds="f") for w in weights]
    expect(value.get("loss_kind"), str, what="the loss kind")
    value["training_flags"] = replies.strings(value.get("training_flags"), what="a training flag")
    return value


def _flat(arrays: list[np.ndarray]) -> np.ndarray:
    """The values of ``arrays``, one after the other, in float64."""
    return np.concatenate([array.ravel() for array in arrays]).astype("float64")


def _hint(
    ratio: float, *, near: tuple[float, float], doubled: str, halved: str, otherwise: str
) -> str:
    """The hint for a result ``ratio`` times the expected one: ``doubled`` or ``halved`` when
    it is within ``near`` (of the number of replicas, of its inverse) of being off by the
    number of replicas, ``otherwise`` when it is not."""
    if abs(ratio - REPLICAS) < near[0]:
        return doubled
    return halved if abs(ratio - 1 / REPLICAS) < near[1] else otherwise


def _factor(received: float, expected: float) -> str:
    """``" (2.00 times the expected value)"``, or nothing when the ratio is not telling."""
    if expected == 0 or not np.isfinite(received):
        return ""
    return f" ({received / expected:.2f} times the expected value)"


@pytest.mark.points(2)
def test_compute_loss_divides_by_the_global_batch(submission: Submission) -> None:
    """compute_loss sums the per-example losses and divides by the global batch size"""
    rng = fresh_rng(submission, "compute loss")
    examples, classes = draw_between(rng, LOSS_EXAMPLES), draw_between(rng, LOSS_CLASSES)
    labels = rng.integers(0, classes, size=examples).astype("int32")
    logits = rng.normal(scale=2.0, size=(examples, classes)).astype("float32")
    total = float(-_log_softmax(logits)[np.arange(examples), labels].sum())
    global_batches = rng.choice(np.arange(examples + 1, 4 * examples + 1), 2, replace=False)
    for global_batch in (int(size) for size in global_batches):
        call = f"compute_loss(labels, logits, {global_batch}) for {examples} examples"
        received = check_array(
            submission.call("compute_loss", labels, logits, global_batch, as_tensors=True),
            f"the value of {call}",
            shape=(),
            hint="return one number: the sum of the per-example losses divided by "
            "global_batch_size (tf.nn.compute_average_loss does it).",
        )
        expected = total / global_batch
        if not np.isclose(float(received), expected, rtol=TOLERANCE, atol=TOLERANCE):
            raise fail(
                call,
                expected=f"{expected:.6f} (the sum of the {examples} losses, {total:.6f}, "
                f"divided by {global_batch})",
                received=f"{float(received):.6f}{_factor(float(received), expected)}",
                hint="divide the summed loss by global_batch_size, not by the number of "
                "examples this replica has: tf.nn.compute_average_loss(per_example_loss, "
                "global_batch_size=global_batch_size). The logits are raw scores "
                "(from_logits=True).",
            )


@pytest.mark.points(3)
def test_distributed_step_equals_one_step_on_the_global_batch(
    stepped: dict[str, Any], problem: Problem
) -> None:
    """one distributed step updates the weights as one step on the whole global batch"""
    received = stepped["weights"]
    shapes = [w.shape for w in problem.weights]
    if [w.shape for w in received] != shapes:
        raise fail(
            "the model's weight shapes after distributed_train_step",
            expected=shapes,
            received=[w.shape for w in received],
            hint="update the model's own variables with optimizer.apply_gradients.",
        )
    initial, got, wanted = _flat(problem.weights), _flat(received), _flat(problem.expected)
    change, expected_change = got - initial, wanted - initial
    if not np.any(change):
        raise fail(
            "the weights after one distributed_train_step",
            expected="changed by one SGD step",
            received="the initial weights, unchanged",
            hint="apply the gradients inside the replica step: optimizer.apply_gradients("
            "zip(gradients, model.trainable_variables)).",
        )
    if not np.allclose(got, wanted, rtol=TOLERANCE, atol=TOLERANCE):
        scale = float(change @ expected_change / (expected_change @ expected_change))
        error = float(np.abs(change - expected_change).max())
        hint = _hint(
            scale,
            near=(0.05, 0.02),
            doubled=f"the update is {REPLICAS} times too large: each replica divided its loss by "
            "its own batch size; divide by the global batch size (compute_loss).",
            halved=f"the update is {REPLICAS} times too small: the loss was divided by the "
            "number of replicas once too often.",
            otherwise="take the loss from compute_loss(y, model(x, training=True), "
            "global_batch_size) under a GradientTape, and apply its gradients once, "
            "inside strategy.run.",
        )
        batch = problem.global_batch
        raise fail(
            f"the weights after one distributed_train_step on a global batch of "
            f"{batch} ({REPLICAS} replicas x {batch // REPLICAS} examples)",
            expected=f"those of one SGD step on all {batch} examples on one device",
            received=f"an update {scale:.2f} times that step's, off by up to {error:.2g}",
            hint=hint,
        )


@pytest.mark.points(1)
def test_distributed_step_returns_the_mean_loss(stepped: dict[str, Any], problem: Problem) -> None:
    """distributed_train_step returns the mean loss over the global batch (reduced with SUM)"""
    call = "distributed_train_step(...)"
    if stepped["loss_kind"] == "per_replica":
        raise fail(
            f"the value returned by {call}",
            expected="one number for the whole global batch",
            received="one value per replica",
            hint="combine the per-replica losses: strategy.reduce(tf.distribute.ReduceOp.SUM, "
            "per_replica_losses, axis=None).",
        )
    loss = check_array(
        stepped["loss"],
        f"the value returned by {call}",
        shape=(),
        hint="return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_losses, axis=None).",
    )
    if not np.isclose(float(loss), problem.loss, rtol=TOLERANCE, atol=TOLERANCE):
        hint = _hint(
            float(loss) / problem.loss,
            near=(0.02, 0.01),
            doubled="the per-replica losses are each a mean over one replica's examples: divide "
            "by the global batch size in compute_loss, then reduce with SUM.",
            halved="each replica's loss is already divided by the global batch size, so the "
            "shares add up to the mean: reduce with tf.distribute.ReduceOp.SUM, not MEAN.",
            otherwise="return the loss computed before the update, reduced with "
            "strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_losses, axis=None).",
        )
        batch = problem.global_batch
        raise fail(
            f"the loss returned by {call} for a global batch of {batch}",
            expected=f"{problem.loss:.6f}, the mean cross-entropy over all {batch} examples",
            received=f"{float(loss):.6f}{_factor(float(loss), problem.loss)}",
            hint=hint,
        )
    note(f"mean loss of the step: {float(loss):.6f}")


@pytest.mark.points(1)
def test_replica_step_runs_the_model_in_training_mode(stepped: dict[str, Any]) -> None:
    """the replica step calls the model with training=True"""
    flags = stepped["training_flags"]
    if flags == ["True"]:
        return
    received = ", ".join(
        "no training argument" if flag == "None" else f"training={flag}" for flag in flags
    )
    raise fail(
        "the forward pass in distributed_train_step's replica step",
        expected="model(x, training=True)",
        received=f"calls with {received or 'no call of the model'} (reported by the worker)",
        hint="pass training=True in the forward pass inside the tape: layers such as Dropout "
        "and BatchNormalization train only in training mode.",
    )
