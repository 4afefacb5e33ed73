"""Shared by the week 11 graders: the grader's small model, its SGD step in numpy, the data.

The train-step checks (exercises 11.3 and 11.4) hand the submission a model described as
plain data and built in the worker (``loops.train_steps``): ``n`` inputs, a linear
``Dense(m)`` and a ``Dense(1, activation="sigmoid")``, trained with ``SGD(learning_rate=0.5)``
and binary cross-entropy on 40 batches. The model and its data are drawn afresh at each
grading from ``fresh_rng(submission, "train step problem")`` (ranges inclusive; one problem
for parts 3 and 4):

* ``n`` from 3 to 5 inputs, ``m`` from 2 to 4 hidden units, 6 to 10 examples per batch;
* the weights: kernels normal with standard deviation 0.5, biases with 0.1;
* the examples: standard normal features, labels from a noisy linear rule, ``x @ w + b +
  0.5 * noise > 0``, with ``|w|`` from 1 to 2.5 (random signs) and ``b`` from -0.5 to 0.5.

Every value is rounded to float32 before anything is computed, so both sides start from the
same numbers. The expected loss and update are computed here in float64 numpy, by
hand-written backpropagation:

    h = x W1 + b1,  p = sigmoid(h W2 + b2),  loss = -mean(y log p + (1 - y) log(1 - p))
    d = (p - y) / n,  dW2 = h^T d,  db2 = sum(d),  dh = d W2^T,  dW1 = x^T dh,  db1 = sum(dh)

and every weight becomes ``w - 0.5 * dw``. The worker computes in float32: the two agree to
about 1e-7, against the tolerance of 1e-5 (absolute) + 1e-4 (relative) used by the checks.

Part 3 also asks the 40 losses to fall (the mean of the last 10 below 0.7 times the mean of
the first 10). Training is deterministic, so the grader runs the 40 steps itself in numpy
and keeps a draw only when it separates the mistakes that check is about: a correct step
must reach a ratio of at most 0.5, a step that trains only the output layer (a mistake the
update check names) at most 0.6, and no update at all at least 0.85; otherwise it draws
again from the same stream (about one draw in four is kept; measured over 3,000 draws of
this generator, unfiltered, a correct step's ratio had median 0.317, no update's 1.001).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from course.grading.reports import MalformedData, expect, expect_array
from course.grading.submission import Submission
from course.testing import check_array, check_close, draw_between, fail, fresh_rng

INPUTS = (3, 5)  # inclusive, as are the other ranges
HIDDEN_UNITS = (2, 4)
BATCH_SIZE = (6, 10)
STEPS = 40
LEARNING_RATE = 0.5
#: The draw is kept when the losses separate the mistakes of part 3's fall check.
FALL_WINDOW = 10
KEEP_CORRECT_AT_MOST = 0.5
KEEP_LAST_LAYER_AT_MOST = 0.6
KEEP_NO_UPDATE_AT_LEAST = 0.85
MAX_DRAWS = 200
ATOL, RTOL = 1e-5, 1e-4

Weights = tuple[np.ndarray, ...]
Batches = list[tuple[np.ndarray, np.ndarray]]


def pair(value: object, *, call: str, expected: str, hint: str) -> tuple[object, object]:
    """The two items of ``value``, what ``call`` returned; fails unless there are two."""
    if not (isinstance(value, list) and len(value) == 2):
        raise fail(
            f"the value {call} returns",
            expected=f"a pair {expected}",
            received=f"a list of {len(value)} items" if isinstance(value, list) else value,
            hint=hint,
        )
    return value[0], value[1]


def scalar(value: object, *, what: str, hint: str) -> float:
    """A returned loss as a float, or a failed check saying what it was."""
    if value is None:
        raise fail(what, expected="the loss, a scalar tensor", received="None", hint=hint)
    try:
        array = np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        raise fail(what, expected="a scalar tensor", received=type(value).__name__) from None
    if array.size != 1:
        raise fail(
            what,
            expected="a scalar: the mean loss over the batch",
            received=f"shape {array.shape}",
            hint=hint,
        )
    return float(array.reshape(()))


def _float32(array: np.ndarray) -> np.ndarray:
    return np.asarray(array).astype("float32").astype("float64")


def forward(weights: Sequence[np.ndarray], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hidden activations, output probabilities) of the grader's model, in float64."""
    hidden = x @ weights[0] + weights[1]
    return hidden, 1.0 / (1.0 + np.exp(-(hidden @ weights[2] + weights[3])))


def mean_loss(weights: Sequence[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy, as ``keras.losses.BinaryCrossentropy()`` computes it."""
    _, p = forward(weights, x)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def gradients(weights: Sequence[np.ndarray], x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """d loss / d weight for every weight: hidden kernel, hidden bias, output kernel, bias."""
    hidden, p = forward(weights, x)
    d = (p - y) / len(x)
    d_hidden = d @ weights[2].T
    return [x.T @ d_hidden, d_hidden.sum(axis=0), hidden.T @ d, d.sum(axis=0)]


def fall_ratio(weights: Weights, batches: Batches, *, trained: tuple[int, ...]) -> float:
    """Mean of the last 10 losses over the mean of the first 10, SGD on the weights whose
    indices are in ``trained`` (none: no update at all)."""
    current = [w.copy() for w in weights]
    losses = []
    for x, y in batches:
        losses.append(mean_loss(current, x, y))
        for index, gradient in enumerate(gradients(current, x, y)):
            if index in trained:
                current[index] = current[index] - LEARNING_RATE * gradient
    return float(np.mean(losses[-FALL_WINDOW:]) / np.mean(losses[:FALL_WINDOW]))


@dataclass(frozen=True)
class StepsReport:
    """What ``loops.train_steps`` returns, validated."""

    weights_before: list[np.ndarray]  # float64, as are the weights after the first step
    weights_after_first: list[np.ndarray]
    losses: list[object]
    graph_loss_calls: list[int]
    eager_loss_calls: list[int]
    tracing_counts: list[int | None]
    #: The distinct ``training`` arguments the model was called with (self-reported).
    training_flags: list[str]

    @classmethod
    def from_plain(cls, data: object, *, weights: Weights) -> StepsReport:
        plain: dict[str, Any] = expect(data, dict, what="the training report")

        def arrays(key: str) -> list[np.ndarray]:
            items = enumerate(expect(plain.get(key), list, what=key))
            return [
                expect_array(w, what=f"{key}[{i}]", kinds="f").astype("float64") for i, w in items
            ]

        def counts(key: str, kinds: tuple[type, ...] = (int,)) -> list[Any]:
            return [expect(c, kinds, what=key) for c in expect(plain.get(key), list, what=key)]

        report = cls(
            weights_before=arrays("weights_before"),
            weights_after_first=arrays("weights_after_first"),
            losses=expect(plain.get("losses"), list, what="the losses"),
            graph_loss_calls=counts("graph_loss_calls"),
            eager_loss_calls=counts("eager_loss_calls"),
            tracing_counts=counts("tracing_counts", (int, type(None))),
            training_flags=counts("training_flags", (str,)),
        )
        if len(report.weights_before) != len(weights) or not all(
            w.shape == v.shape and np.allclose(w, v, atol=1e-6)
            for w, v in zip(report.weights_before, weights, strict=True)
        ):
            raise MalformedData("the model's weights do not match the grader's model")
        return report


@dataclass(frozen=True)
class Reference:
    """This grading's model and data for the train steps, drawn afresh; its expected SGD
    step, and the checks built on it."""

    inputs: int
    hidden_units: int
    weights: Weights  # float32 values, as float64
    batches: Batches

    @classmethod
    def draw(cls, rng: np.random.Generator) -> Reference:
        inputs, hidden, batch = (
            draw_between(rng, INPUTS),
            draw_between(rng, HIDDEN_UNITS),
            draw_between(rng, BATCH_SIZE),
        )
        weights = (
            _float32(rng.normal(scale=0.5, size=(inputs, hidden))),
            _float32(rng.normal(scale=0.1, size=hidden)),
            _float32(rng.normal(scale=0.5, size=(hidden, 1))),
            _float32(rng.normal(scale=0.1, size=1)),
        )
        rule = rng.uniform(1.0, 2.5, size=inputs) * rng.choice([-1.0, 1.0], size=inputs)
        shift = rng.uniform(-0.5, 0.5)
        features = _float32(rng.normal(size=(batch * STEPS, inputs)))
        noise = 0.5 * rng.normal(size=len(features))
        labels = (features @ rule + shift + noise > 0).astype("float64")[:, None]
        batches = [
            (features[i : i + batch], labels[i : i + batch]) for i in range(0, len(features), batch)
        ]
        return cls(inputs, hidden, weights, batches)

    def separates_mistakes(self) -> bool:
        """Whether the fall check passes a correct step and one that trains only the output
        layer, and fails one that never updates, each with a margin."""
        return (
            fall_ratio(self.weights, self.batches, trained=(0, 1, 2, 3)) <= KEEP_CORRECT_AT_MOST
            and fall_ratio(self.weights, self.batches, trained=(2, 3)) <= KEEP_LAST_LAYER_AT_MOST
            and fall_ratio(self.weights, self.batches, trained=()) >= KEEP_NO_UPDATE_AT_LEAST
        )

    def train(self, submission: Submission, *, compiled: bool, batches: Batches) -> StepsReport:
        """Run the submission's step (``make_train_step``'s when ``compiled``) on ``batches``."""
        value = submission.probe(
            "loops.train_steps",
            action="make_train_step() and its step(x, y)" if compiled else "train_step()",
            compiled=compiled,
            inputs=self.inputs,
            layers=[
                {"units": self.hidden_units, "activation": "linear"},
                {"units": 1, "activation": "sigmoid"},
            ],
            weights=[w.astype("float32") for w in self.weights],
            learning_rate=LEARNING_RATE,
            batches=[[x.astype("float32"), y.astype("float32")] for x, y in batches],
        )
        return StepsReport.from_plain(value, weights=self.weights)

    def check_first_loss(self, report: StepsReport, *, what: str, hint: str) -> None:
        """The first loss the step returned is the grader's loss of the first batch at the
        initial weights."""
        x, y = self.batches[0]
        received = scalar(report.losses[0], what=what, hint=hint)
        if np.isclose(received, mean_loss(report.weights_after_first, x, y), atol=ATOL, rtol=RTOL):
            hint = "return the loss computed inside the tape, before apply_gradients."
        check_close(received, mean_loss(self.weights, x, y), what, atol=ATOL, rtol=RTOL, hint=hint)

    def check_update(self, report: StepsReport, *, what: str) -> None:
        """The weights after the first step are ``w - lr * gradient`` for every weight."""
        started, after = report.weights_before, report.weights_after_first
        grads = gradients(self.weights, *self.batches[0])
        expected = [w - LEARNING_RATE * g for w, g in zip(self.weights, grads, strict=True)]
        optimizer = f"SGD(learning_rate={LEARNING_RATE})"
        if all(np.array_equal(a, b) for a, b in zip(after, started, strict=True)):
            raise fail(
                f"the weights after {what} with {optimizer}",
                expected="changed by -0.5 x the gradient of the loss",
                received="the weights unchanged",
                hint="after computing the gradients, update the variables with "
                "optimizer.apply_gradients(zip(gradients, model.trainable_variables)).",
            )
        layers = (f"hidden Dense({self.hidden_units})", "output Dense(1)")
        names = [
            f"the {part} of the {layer} layer" for layer in layers for part in ("kernel", "bias")
        ]
        for name, new, old, target in zip(names, after, started, expected, strict=True):
            check_array(new, f"{name} after {what}", shape=target.shape)
            if np.allclose(new, target, atol=ATOL, rtol=RTOL):
                continue
            change, wanted = (new - old).ravel(), (target - old).ravel()
            if np.array_equal(new, old):
                hint = (
                    "this variable did not move while others did: take the gradients with "
                    "respect to model.trainable_variables (every layer's variables) and apply "
                    "them all."
                )
            elif np.allclose(change, -wanted, atol=ATOL, rtol=RTOL):
                hint = (
                    "the variable moved up the gradient instead of down: pass the gradients "
                    "themselves to apply_gradients; the optimizer subtracts them."
                )
            else:
                scale = float(change @ wanted / (wanted @ wanted)) if wanted.any() else 0.0
                hint = (
                    f"the change is about {scale:.3g} times the expected one. Compute the "
                    "loss as loss_fn(y, predictions) (labels first) inside the tape, take "
                    "tape.gradient(loss, model.trainable_variables) and apply them once."
                )
            raise fail(
                f"{name} after {what} with {optimizer} (old value - 0.5 x gradient)",
                expected=np.round(target.ravel(), 5).tolist(),
                received=np.round(new.ravel(), 5).tolist(),
                hint=hint,
            )


def draw_problem(submission: Submission) -> Reference:
    """The first draw of this grading's stream that separates the mistakes (see above)."""
    rng = fresh_rng(submission, "train step problem")
    for _ in range(MAX_DRAWS):
        problem = Reference.draw(rng)
        if problem.separates_mistakes():
            return problem
    raise RuntimeError(f"no train-step problem separated the mistakes in {MAX_DRAWS} draws")
