"""Week 11 grader, part 1: standardising with the training set's statistics (exercise 11.1).

``standardize(train, other)`` receives generated features (not a real data set), drawn
afresh at each grading (``fresh_rng(submission, "standardize")``; ranges inclusive): 40 to
80 training rows and 15 to 40 other rows of 3 to 6 columns on very different scales (each
column's standard deviation ``10 ** u`` with ``u`` uniform in [-2, 2], its mean that
deviation times a number uniform in [-20, 20], so that float32 keeps the standardised
values to about 1e-6), the other rows drawn around means shifted by two standard deviations
(up or down, at random) with 1.5 times the spread, so that the training statistics and the
other set's own statistics give clearly different answers.

Exact answers, no thresholds (tolerance 1e-4 absolute and relative, for float32):

* the training part must equal ``(train - train.mean(0)) / train.std(0)``;
* the other part must be scaled with the same statistics as the training part: the grader
  recovers, column by column, the scale and shift that turn ``train`` into the returned
  training part (least squares) and expects the same scale and shift applied to ``other``.
  So a mistake in the statistics themselves (``ddof=1``, 0.6% off with 80 rows; one mean
  for the whole array) costs only the first check, and standardising ``other`` with its
  own statistics only the second. A training part with a constant column (all zeros, say)
  has no scaling to recover and fails both.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, check_close, draw_between, fail, fresh_rng

from .reference import pair

pytestmark = pytest.mark.visibility("visible")

TRAIN_ROWS = (40, 80)  # inclusive, as are the other ranges
OTHER_ROWS = (15, 40)
COLUMNS = (3, 6)
CALL = "standardize(train, other)"
TOLERANCE = 1e-4
Sets = tuple[np.ndarray, np.ndarray]


@pytest.fixture(scope="module")
def sets(submission: Submission) -> Sets:
    """(train, other): the grader's features, float64, drawn afresh."""
    rng = fresh_rng(submission, "standardize")
    columns = draw_between(rng, COLUMNS)
    stds = 10.0 ** rng.uniform(-2.0, 2.0, size=columns)
    means = stds * rng.uniform(-20.0, 20.0, size=columns)
    train = means + stds * rng.normal(size=(draw_between(rng, TRAIN_ROWS), columns))
    shift = 2 * stds * rng.choice([-1.0, 1.0], size=columns)
    other = means + shift + 1.5 * stds * rng.normal(size=(draw_between(rng, OTHER_ROWS), columns))
    return train, other


@pytest.fixture(scope="module")
def parts(submission: Submission, sets: Sets) -> Sets:
    """The two arrays standardize returned, as float64."""
    value = submission.call("standardize", *sets)
    returned = pair(
        value,
        call=CALL,
        expected="(standardised train, standardised other)",
        hint="return both arrays: return train_scaled, other_scaled.",
    )
    arrays = []
    for item, source, name in zip(returned, sets, ("train", "other"), strict=True):
        what = f"the standardised {name} set"
        array = check_array(item, what, shape=source.shape)
        check_array(array, what, kind="f", hint="return float32 arrays: (...).astype(np.float32).")
        arrays.append(array.astype("float64"))
    return arrays[0], arrays[1]


def _columns(array: np.ndarray) -> str:
    return ", ".join(f"{v:.3g}" for v in array)


def _close(received: np.ndarray, expected: np.ndarray) -> bool:
    return bool(np.allclose(received, expected, atol=TOLERANCE, rtol=TOLERANCE))


@pytest.mark.points(1)
def test_training_set_has_mean_zero_and_deviation_one(parts: Sets, sets: Sets) -> None:
    """standardize scales every training feature to mean 0 and standard deviation 1"""
    train_set, _ = sets
    train, _ = parts
    hint = "subtract train.mean(axis=0) and divide by train.std(axis=0)."
    if _close(train, (train_set - train_set.mean()) / train_set.std()):
        hint = "take one mean and one std per column: train.mean(axis=0), train.std(axis=0)."
    elif _close(train, (train_set - train_set.mean(axis=0)) / train_set.std(axis=0, ddof=1)):
        hint = "use numpy's default standard deviation (ddof=0), as the docstring says."
    check_close(
        train,
        (train_set - train_set.mean(axis=0)) / train_set.std(axis=0),
        f"the training part of {CALL}, every column with mean 0 and standard deviation 1,",
        atol=TOLERANCE,
        rtol=TOLERANCE,
        hint=f"{hint} Its columns have means {_columns(train.mean(axis=0))} and standard "
        f"deviations {_columns(train.std(axis=0))}.",
    )


@pytest.mark.points(2)
def test_other_set_uses_training_statistics(parts: Sets, sets: Sets) -> None:
    """standardize scales the other set with the training set's mean and deviation"""
    train_set, other_set = sets
    train, other = parts
    flat = np.flatnonzero(train.std(axis=0) < 1e-6)
    if flat.size:
        raise fail(
            f"the training part of {CALL} (the other part must share its scaling)",
            expected="a column of values for every feature, scaled to standard deviation 1",
            received="constant values in column " + ", ".join(str(c) for c in flat),
            hint="subtract train.mean(axis=0) and divide by train.std(axis=0); then apply the "
            "same mean and std to other.",
        )
    # Column by column, the affine map train -> returned train part, applied to other_set.
    expected = np.empty_like(other_set)
    for column in range(train_set.shape[1]):
        design = np.stack([train_set[:, column], np.ones(len(train_set))], axis=1)
        (scale, shift), *_ = np.linalg.lstsq(design, train[:, column], rcond=None)
        expected[:, column] = scale * other_set[:, column] + shift
    hint = "compute the mean and std once, from train only, and apply them to both sets; "
    hint += "the statistics of validation or test data are unknown when the model is used."
    if _close(other, (other_set - other_set.mean(axis=0)) / other_set.std(axis=0)):
        hint = f"the other set is standardised with its own statistics: {hint}"
    check_close(
        other,
        expected,
        f"the other part of {CALL}, (other - train.mean(axis=0)) / train.std(axis=0),",
        atol=TOLERANCE,
        rtol=TOLERANCE,
        hint=hint,
    )
