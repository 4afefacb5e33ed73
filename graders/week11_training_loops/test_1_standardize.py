"""Week 11 grader, part 1: standardising with the training set's statistics (exercise 11.1).

``standardize(train, other)`` receives generated features (not a real data set): 60
training rows and 25 other rows of 4 columns on very different scales (means 5, -3, 100 and
0.1; standard deviations 2, 0.5, 30 and 0.01), the other rows drawn around means shifted by
two standard deviations with 1.5 times the spread, so that the training statistics and the
other set's own statistics give clearly different answers.

Exact answers, no thresholds (tolerance 1e-4 absolute and relative, for float32):

* the training part must equal ``(train - train.mean(0)) / train.std(0)``;
* the other part must be scaled with the same statistics as the training part: the grader
  recovers, column by column, the scale and shift that turn ``train`` into the returned
  training part (least squares) and expects the same scale and shift applied to ``other``.
  So a mistake in the statistics themselves (``ddof=1``, one mean for the whole array)
  costs only the first check, and standardising ``other`` with its own statistics only the
  second.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, fail

_generator = np.random.default_rng(2024)
MEANS = np.array([5.0, -3.0, 100.0, 0.1])
STDS = np.array([2.0, 0.5, 30.0, 0.01])
TRAIN = MEANS + STDS * _generator.normal(size=(60, 4))
OTHER = MEANS + 2 * STDS + 1.5 * STDS * _generator.normal(size=(25, 4))
CALL = "standardize(train, other)"
TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def parts(submission: Submission) -> tuple[np.ndarray, np.ndarray]:
    """The two arrays standardize returned, as float64."""
    value = submission.call("standardize", TRAIN, OTHER)
    if not (isinstance(value, list) and len(value) == 2):
        raise fail(
            f"the value {CALL} returns",
            expected="a pair (standardised train, standardised other)",
            received=f"a list of {len(value)} items" if isinstance(value, list) else value,
            hint="return both arrays: return train_scaled, other_scaled.",
        )
    arrays = []
    for item, source, name in zip(value, (TRAIN, OTHER), ("train", "other"), strict=True):
        array = check_array(item, f"the standardised {name} set", shape=source.shape)
        if array.dtype.kind != "f":
            raise fail(
                f"the dtype of the standardised {name} set",
                expected="float32",
                received=array.dtype,
                hint="return float32 arrays: (...).astype(np.float32).",
            )
        arrays.append(array.astype("float64"))
    return arrays[0], arrays[1]


def _columns(array: np.ndarray) -> str:
    return ", ".join(f"{v:.3g}" for v in array)


@pytest.mark.points(1)
def test_training_set_has_mean_zero_and_deviation_one(parts: Any) -> None:
    """standardize scales every training feature to mean 0 and standard deviation 1"""
    train, _ = parts
    expected = (TRAIN - TRAIN.mean(axis=0)) / TRAIN.std(axis=0)
    if np.allclose(train, expected, atol=TOLERANCE, rtol=TOLERANCE):
        return
    if np.allclose(train, (TRAIN - TRAIN.mean()) / TRAIN.std(), atol=TOLERANCE, rtol=TOLERANCE):
        hint = "take one mean and one std per column: train.mean(axis=0), train.std(axis=0)."
    elif np.allclose(
        train, (TRAIN - TRAIN.mean(axis=0)) / TRAIN.std(axis=0, ddof=1), atol=TOLERANCE
    ):
        hint = "use numpy's default standard deviation (ddof=0), as the docstring says."
    else:
        hint = "subtract train.mean(axis=0) and divide by train.std(axis=0)."
    raise fail(
        f"the per-feature means and standard deviations of the training part of {CALL}",
        expected="means 0, 0, 0, 0 and standard deviations 1, 1, 1, 1",
        received=f"means {_columns(train.mean(axis=0))} and standard deviations "
        f"{_columns(train.std(axis=0))}",
        hint=hint,
    )


@pytest.mark.points(2)
def test_other_set_uses_training_statistics(parts: Any) -> None:
    """standardize scales the other set with the training set's mean and deviation"""
    train, other = parts
    # Column by column, the affine map train -> returned train part, applied to OTHER.
    expected = np.empty_like(OTHER)
    for column in range(TRAIN.shape[1]):
        design = np.stack([TRAIN[:, column], np.ones(len(TRAIN))], axis=1)
        (scale, shift), *_ = np.linalg.lstsq(design, train[:, column], rcond=None)
        expected[:, column] = scale * OTHER[:, column] + shift
    if np.allclose(other, expected, atol=TOLERANCE, rtol=TOLERANCE):
        return
    own = (OTHER - OTHER.mean(axis=0)) / OTHER.std(axis=0)
    if np.allclose(other, own, atol=TOLERANCE, rtol=TOLERANCE):
        received = (
            "the other set standardised with its own statistics (its columns have mean 0 "
            "and standard deviation 1)"
        )
    else:
        received = f"columns with means {_columns(other.mean(axis=0))}"
    truth = (OTHER - TRAIN.mean(axis=0)) / TRAIN.std(axis=0)
    raise fail(
        f"the other part of {CALL}",
        expected="(other - train.mean(axis=0)) / train.std(axis=0), whose columns here have "
        f"means {_columns(truth.mean(axis=0))}",
        received=received,
        hint="compute the mean and std once, from train only, and apply them to both sets; "
        "the statistics of validation or test data are unknown when the model is used.",
    )
