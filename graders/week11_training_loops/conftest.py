"""Shared by the week 11 graders: the grader's small model, its SGD step in numpy, the data.

The train-step checks (exercises 11.3 and 11.4) hand the submission a model described as
plain data and built in the worker (``loops.train_steps``): 3 inputs, a linear ``Dense(2)``
and a ``Dense(1, activation="sigmoid")``, with the weights below, trained with
``SGD(learning_rate=0.5)`` and binary cross-entropy. The expected loss and update are
computed here in float64 numpy, by hand-written backpropagation:

    h = x W1 + b1,  p = sigmoid(h W2 + b2),  loss = -mean(y log p + (1 - y) log(1 - p))
    d = (p - y) / n,  dW2 = h^T d,  db2 = sum(d),  dh = d W2^T,  dW1 = x^T dh,  db1 = sum(dh)

and every weight becomes ``w - 0.5 * dw``. The worker computes in float32: the two agree to
about 1e-7, against the tolerance of 1e-5 (absolute) + 1e-4 (relative) used by the checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from course.grading.reports import MalformedData, expect, expect_array
from course.grading.submission import Submission
from course.testing import fail

INPUTS = 3
LAYERS = ({"units": 2, "activation": "linear"}, {"units": 1, "activation": "sigmoid"})
LEARNING_RATE = 0.5
#: The grader's model: [hidden kernel (3, 2), hidden bias (2,), output kernel (2, 1), bias].
WEIGHTS = (
    np.array([[0.8, 0.1], [-0.4, 0.5], [0.6, -0.3]]),
    np.array([0.1, -0.1]),
    np.array([[-0.5], [0.4]]),
    np.array([0.05]),
)
WEIGHT_NAMES = (
    "the kernel of the hidden Dense(2) layer",
    "the bias of the hidden Dense(2) layer",
    "the kernel of the output Dense(1) layer",
    "the bias of the output Dense(1) layer",
)
BATCH_SIZE = 8
STEPS = 40
#: Generated data (not a real data set): 3 features, labels from a noisy linear rule.
_generator = np.random.default_rng(1111)
FEATURES = _generator.normal(size=(BATCH_SIZE * STEPS, INPUTS))
LABELS = (
    FEATURES @ np.array([2.0, -1.0, 1.5]) + 0.3 + 0.5 * _generator.normal(size=BATCH_SIZE * STEPS)
    > 0
).astype("float64")[:, None]
BATCHES = [
    (FEATURES[i : i + BATCH_SIZE], LABELS[i : i + BATCH_SIZE])
    for i in range(0, BATCH_SIZE * STEPS, BATCH_SIZE)
]
ATOL, RTOL = 1e-5, 1e-4


@dataclass(frozen=True)
class StepsReport:
    """What ``loops.train_steps`` returns, validated."""

    weights_before: list[np.ndarray]
    weights_after_first: list[np.ndarray]
    losses: list[Any]
    graph_loss_calls: list[int]
    eager_loss_calls: list[int]
    tracing_counts: list[int | None]

    @classmethod
    def from_plain(cls, data: Any) -> StepsReport:
        expect(data, dict, what="the training report")

        def weights(key: str) -> list[np.ndarray]:
            items = expect(data.get(key), list, what=key)
            return [expect_array(w, what=f"{key}[{i}]", kinds="f") for i, w in enumerate(items)]

        def counts(key: str, kinds: tuple[type, ...] = (int,)) -> list[Any]:
            return [expect(c, kinds, what=key) for c in expect(data.get(key), list, what=key)]

        report = cls(
            weights_before=weights("weights_before"),
            weights_after_first=weights("weights_after_first"),
            losses=expect(data.get("losses"), list, what="the losses"),
            graph_loss_calls=counts("graph_loss_calls"),
            eager_loss_calls=counts("eager_loss_calls"),
            tracing_counts=counts("tracing_counts", (int, type(None))),
        )
        if len(report.weights_before) != len(WEIGHTS) or not all(
            np.allclose(w, v, atol=1e-6)
            for w, v in zip(report.weights_before, WEIGHTS, strict=True)
        ):
            raise MalformedData("the model's weights do not match the grader's model")
        return report


class Reference:
    """The grader's model, its expected SGD step and the checks built on them."""

    batches = BATCHES
    weights = WEIGHTS
    learning_rate = LEARNING_RATE

    @staticmethod
    def forward(weights: Any, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(hidden activations, output probabilities) of the grader's model, in float64."""
        hidden = x @ weights[0] + weights[1]
        return hidden, 1.0 / (1.0 + np.exp(-(hidden @ weights[2] + weights[3])))

    @staticmethod
    def loss(weights: Any, x: np.ndarray, y: np.ndarray) -> float:
        """Mean binary cross-entropy, as ``keras.losses.BinaryCrossentropy()`` computes it."""
        _, p = Reference.forward(weights, x)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    @staticmethod
    def gradients(weights: Any, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        """d loss / d weight for every weight, in the order of ``WEIGHTS``."""
        hidden, p = Reference.forward(weights, x)
        d = (p - y) / len(x)
        d_hidden = d @ weights[2].T
        return [x.T @ d_hidden, d_hidden.sum(axis=0), hidden.T @ d, d.sum(axis=0)]

    @staticmethod
    def train(submission: Submission, *, compiled: bool, batches: Any) -> StepsReport:
        """Run the submission's step (``make_train_step``'s when ``compiled``) on ``batches``."""
        value = submission.probe(
            "loops.train_steps",
            action="make_train_step() and its step(x, y)" if compiled else "train_step()",
            compiled=compiled,
            inputs=INPUTS,
            layers=[dict(layer) for layer in LAYERS],
            weights=[w.astype("float32") for w in WEIGHTS],
            learning_rate=LEARNING_RATE,
            batches=[[x.astype("float32"), y.astype("float32")] for x, y in batches],
        )
        return StepsReport.from_plain(value)

    @staticmethod
    def check_update(report: StepsReport, x: np.ndarray, y: np.ndarray, *, what: str) -> None:
        """The weights after the first step are ``w - lr * gradient`` for every weight."""
        before = [np.asarray(w, dtype="float64") for w in WEIGHTS]
        started = [np.asarray(w, dtype="float64") for w in report.weights_before]
        after = [np.asarray(w, dtype="float64") for w in report.weights_after_first]
        grads = Reference.gradients(before, x, y)
        expected = [w - LEARNING_RATE * g for w, g in zip(before, grads, strict=True)]
        optimizer = f"SGD(learning_rate={LEARNING_RATE})"
        if all(np.array_equal(a, b) for a, b in zip(after, started, strict=True)):
            raise fail(
                f"the weights after {what} with {optimizer}",
                expected="changed by -0.5 x the gradient of the loss",
                received="the weights unchanged",
                hint="after computing the gradients, update the variables with "
                "optimizer.apply_gradients(zip(gradients, model.trainable_variables)).",
            )
        for name, new, old, target in zip(WEIGHT_NAMES, after, started, expected, strict=True):
            if new.shape != target.shape:
                raise fail(
                    f"the shape of {name} after {what}",
                    expected=target.shape,
                    received=new.shape,
                )
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


@pytest.fixture(scope="session")
def reference() -> type[Reference]:
    """The grader's model and SGD step (``reference.train(...)``, ``check_update``...)."""
    return Reference


#: The breast-cancer split: 400 tumours to train on, the other 169 to validate.
SPLIT_SEED = 11
TRAINING_TUMOURS = 400


@dataclass(frozen=True)
class TumourSplit:
    train_features: np.ndarray
    train_labels: np.ndarray
    validation_features: np.ndarray
    validation_labels: np.ndarray


@pytest.fixture(scope="session")
def tumours() -> TumourSplit:
    """The Wisconsin breast-cancer data, 1 = malignant, split at random (seeded)."""
    from sklearn.datasets import load_breast_cancer  # scipy is slow to import: only here

    features, target = load_breast_cancer(return_X_y=True)
    labels = (1 - target).astype("int64")
    order = np.random.default_rng(SPLIT_SEED).permutation(len(features))
    train, validation = order[:TRAINING_TUMOURS], order[TRAINING_TUMOURS:]
    return TumourSplit(features[train], labels[train], features[validation], labels[validation])
