"""Shared by the week 3 graders: the grader's own model, its images, and the callback's
settings as the worker reads them from the callback's attributes."""

from __future__ import annotations

from functools import cache
from typing import Any

import keras
import numpy as np

from course.datasets import fashion_mnist
from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail


def grader_model() -> Any:
    """The grader's Flatten-Dense(128, relu)-Dense(10, softmax) model (parts 2 and 4)."""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def set_weights(model: Any, weights: list[np.ndarray], *, what: str) -> None:
    """Give the grader's ``model`` the weights a training returned, or fail naming them."""
    try:
        model.set_weights(weights)
    except ValueError:
        raise fail(
            what,
            expected="the weights of the grader's model",
            received=f"{len(weights)} arrays of shapes " + ", ".join(str(w.shape) for w in weights),
            hint="the callback should not change the model.",
        ) from None


@cache
def images(count: int, *, test: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` Fashion-MNIST training (or ``test``) images scaled to [0, 1], and
    their labels (loaded once a grading)."""
    x, y = fashion_mnist()[1 if test else 0]
    return (x[:count] / 255.0).astype("float32"), y[:count].astype("int32")


def callback_settings(
    submission: Submission, factory: str, *args: Any, kind: str, hint: str
) -> dict[str, Any]:
    """The settings of the callback ``factory(*args)`` returns, which must be a ``kind``."""
    description = submission.callback_settings(factory, *args)
    chain = expect(description.get("class_chain"), list, what="the class chain")
    if kind not in chain:
        raise fail(
            f"{factory}({', '.join(map(repr, args))})",
            expected=f"a keras.callbacks.{kind}",
            received=f"a {chain[0] if chain else 'callback'}",
            hint=hint,
        )
    return dict(expect(description.get("attributes"), dict, what="the callback's settings"))


def check_setting(
    settings: dict[str, Any], key: str, expected: str | bool, *, what: str = "", hint: str
) -> None:
    """The callback's attribute ``key`` is exactly ``expected`` (``1`` is not ``True``)."""
    received = settings.get(key)
    if type(received) is not type(expected) or received != expected:
        raise fail(what or key, expected=repr(expected), received=repr(received), hint=hint)
