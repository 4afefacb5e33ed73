"""Shared by the week 10 graders: the grader's numpy references and generated inputs.

The submission's losses, layers, metric and models are custom classes, which this process
cannot rebuild (the rebuild allow-list refuses them), so the probes of
``course.probes.custom`` run them in the worker on the inputs generated here and return
plain numbers. This module holds what those numbers must be: the Huber loss (with the
check parts 1 and 2 share, which names a known mistake), the quadratic layer, the F1 score,
the losses and metrics of the two-head model, all in float64 numpy.
Every input is drawn afresh at each grading from ``course.testing.fresh_rng(submission,
purpose)`` (each check its own purpose, so its own stream): values, and the shapes and
settings the contracts leave open (thresholds, batch sizes, widths); each grader's docstring
gives its ranges. Only the 1,000 training points of part 5 are fixed (its threshold was
measured on them).
"""

from __future__ import annotations

import numpy as np

from course.testing import check_close

#: Keras clips probabilities to [EPSILON, 1 - EPSILON] before taking logarithms.
EPSILON = 1e-7


def draw_threshold(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    """A threshold uniform in ``bounds``, to two decimals."""
    return round(float(rng.uniform(*bounds)), 2)


def rounded(values: np.ndarray, decimals: int = 4) -> list[float]:
    """``values`` as a list of numbers rounded for a message."""
    listed: list[float] = np.round(np.asarray(values, "float64"), decimals).tolist()
    return listed


#: The ranges of |y_true - y_pred|, as multiples of the threshold, in each regime.
REGIMES = {"below": (0.1, 0.9), "above": (1.1, 4.0)}
#: The thresholds of the Huber checks: one from each range; 1.0, the default, lies in none.
THRESHOLD_RANGES = ((0.3, 0.8), (1.2, 2.0), (2.2, 3.5))
COLUMNS = (2, 5)  # values per sample, inclusive
#: The errors |y_true - y_pred| of each regime ``errors`` draws, for a message...
REGIME_WORDS = {
    "below": "all below the threshold",
    "above": "all above the threshold",
    "mixed": "below and above the threshold in every sample",
}
#: ... and what to change when the loss is wrong there.
HUBER_HINTS = {
    "below": "where |e| <= threshold the loss of an element is 0.5 * e**2 (the half "
    "matters); compare abs(error) with the threshold, not the error itself.",
    "above": "where |e| > threshold the loss of an element is threshold * (|e| - 0.5 * "
    "threshold): linear in |e|.",
    "mixed": "choose the formula element by element, e.g. keras.ops.where(abs(error) <= "
    "threshold, 0.5 * error**2, threshold * (abs(error) - 0.5 * threshold)), then average "
    "over the last axis.",
}


def errors(
    rng: np.random.Generator, threshold: float, regime: str, *, rows: int, columns: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(y_true, y_pred)``, float32 ``(rows, columns)``, drawn from ``rng``, whose errors
    are all ``"below"`` the threshold, all ``"above"`` it, or ``"mixed"`` (both in every
    row: below in the even columns, above in the odd ones; ``columns`` >= 2)."""
    y_pred = rng.normal(size=(rows, columns))
    below = rng.uniform(*REGIMES["below"], size=y_pred.shape) * threshold
    above = rng.uniform(*REGIMES["above"], size=y_pred.shape) * threshold
    if regime == "mixed":
        chosen = np.where(np.arange(columns) % 2 == 0, below, above)
    else:
        chosen = below if regime == "below" else above
    signs = rng.choice([-1.0, 1.0], size=y_pred.shape)
    y_true = y_pred + signs * chosen
    return y_true.astype("float32"), y_pred.astype("float32")


def check_huber(
    received: np.ndarray,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    threshold: float,
    *,
    regime: str,
    what: str,
) -> None:
    """``received`` (one loss per sample: the mean over the last axis) must be the Huber
    loss of ``y_true`` and ``y_pred`` (tolerance 1e-4 relative + 1e-5 absolute). The hint
    names a known mistake that ``received`` matches, else what the ``regime`` needs."""
    error = np.abs(np.asarray(y_true, "float64") - np.asarray(y_pred, "float64"))
    below, above = 0.5 * error**2, threshold * (error - 0.5 * threshold)
    small = error <= threshold
    correct = np.where(small, below, above)
    mistakes = {
        "the two formulas look swapped: 0.5 * e**2 belongs to the errors whose size is "
        "at most the threshold, the linear part to the larger ones.": np.where(small, above, below),
        "the small errors lack the factor 0.5: below the threshold the loss is "
        "0.5 * e**2, not e**2.": np.where(small, 2 * below, above),
        "the large errors lack the 0.5: above the threshold the loss is threshold * "
        "(|e| - 0.5 * threshold).": np.where(small, below, threshold * (error - threshold)),
        "the values are sums over the last axis: take the mean (axis=-1).": correct
        * error.shape[-1],
    }
    hint = HUBER_HINTS[regime]
    for mistake, per_element in mistakes.items():
        candidate = np.mean(per_element, axis=-1)
        if candidate.shape == np.shape(received) and np.allclose(
            received, candidate, rtol=1e-4, atol=1e-5
        ):
            hint = mistake
            break
    check_close(received, np.mean(correct, axis=-1), what, rtol=1e-4, atol=1e-5, hint=hint)


def quadratic(x: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``x**2 @ a + x @ b + c``."""
    x = np.asarray(x, "float64")
    values: np.ndarray = (x**2) @ a + x @ b + c
    return values


def f1(labels: np.ndarray, scores: np.ndarray, threshold: float = 0.5) -> float:
    """``2 TP / (2 TP + FP + FN)`` over every sample, 0 when nothing is positive."""
    actual = np.asarray(labels).ravel() == 1
    predicted = np.asarray(scores).ravel() > threshold
    true_positives = np.sum(actual & predicted)
    wrong = np.sum(actual != predicted)
    denominator = 2 * true_positives + wrong
    return float(2 * true_positives / denominator) if denominator else 0.0


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean((np.asarray(y_true, "float64") - y_pred) ** 2))


def mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(y_true, "float64") - y_pred)))


def binary_crossentropy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    p = np.clip(np.asarray(y_pred, "float64"), EPSILON, 1 - EPSILON)
    t = np.asarray(y_true, "float64")
    return float(np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p))))


def binary_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean((np.asarray(y_pred) > 0.5) == (np.asarray(y_true) == 1)))
