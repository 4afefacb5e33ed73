"""Week 7 grader, part 5: ``pad_to_longest`` and ``split_predictors_and_labels`` (7.7, 7.8).

Exact answers on sequences chosen here, the expected arrays written out below. Ids may
come back in any integer dtype, one-hot labels in any float dtype (``to_categorical`` gives
float64). The splitting checks receive a padded array made here, so that a padding
mistake does not fail them too.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, fail

SEQUENCES = [[3, 1], [4, 1, 5], [9, 2, 6, 5], [7, 7]]
PADDED = np.array([[0, 0, 3, 1], [0, 4, 1, 5], [9, 2, 6, 5], [0, 0, 7, 7]])
# The longest sequence is neither first nor last; one sequence has a single id.
UNEVEN = [[5, 3], [8], [2, 7, 1, 8, 2, 8, 1], [4, 5, 9]]
UNEVEN_PADDED = np.array(
    [
        [0, 0, 0, 0, 0, 5, 3],
        [0, 0, 0, 0, 0, 0, 8],
        [2, 7, 1, 8, 2, 8, 1],
        [0, 0, 0, 0, 4, 5, 9],
    ]
)
TO_SPLIT = np.array([[0, 0, 3, 1], [0, 4, 1, 5], [9, 2, 6, 5], [0, 0, 7, 8]], dtype="int32")
PREDICTORS = np.array([[0, 0, 3], [0, 4, 1], [9, 2, 6], [0, 0, 7]])
LABELS = np.array([1, 5, 5, 8])
NUM_CLASSES = 10


def _integers(value: object, what: str, shape: tuple[int, ...], hint: str) -> np.ndarray:
    array = check_array(value, what, shape=shape, hint=hint)
    if array.dtype.kind not in "iu":
        raise fail(
            f"the dtype of {what}",
            expected="an integer dtype (int32)",
            received=array.dtype,
            hint="ids are integers: keras.utils.pad_sequences gives int32.",
        )
    return array


@pytest.mark.points(2)
def test_pads_with_zeros_on_the_left(submission: Submission) -> None:
    """pad_to_longest adds zeros before each sequence (pre-padding)"""
    hint = (
        "pad on the left, so that every sequence ends in the last column: "
        "keras.utils.pad_sequences(sequences, padding='pre')."
    )
    what = f"pad_to_longest({SEQUENCES})"
    received = _integers(submission.call("pad_to_longest", SEQUENCES), what, PADDED.shape, hint)
    if not np.array_equal(received, PADDED):
        raise fail(what, expected=PADDED.tolist(), received=received.tolist(), hint=hint)


@pytest.mark.points(1)
def test_pads_to_the_longest_sequence(submission: Submission) -> None:
    """pad_to_longest makes every row as long as the longest sequence, whichever it is"""
    what = f"pad_to_longest({UNEVEN})"
    received = _integers(
        submission.call("pad_to_longest", UNEVEN),
        what,
        UNEVEN_PADDED.shape,
        hint="the width is the length of the longest sequence (here the third, 7 ids), "
        "neither a fixed number nor the first sequence's length.",
    )
    # Zeros on the wrong side are the first check's mistake; here the lengths count.
    kept = [row[row != 0].tolist() for row in received]
    if kept != UNEVEN:
        raise fail(
            f"the ids kept by {what}",
            expected=UNEVEN,
            received=kept,
            hint="keep every id of every sequence: do not truncate.",
        )


@pytest.mark.points(1)
def test_splits_predictors_and_sparse_labels(submission: Submission) -> None:
    """predictors are all columns but the last; sparse labels are the last column"""
    what = "split_predictors_and_labels(padded)"
    value = submission.call("split_predictors_and_labels", TO_SPLIT)
    if not isinstance(value, list) or len(value) != 2:
        raise fail(what, expected="a pair (predictors, labels)", received=repr(value)[:80])
    predictors = _integers(
        value[0],
        f"the predictors of {what}",
        PREDICTORS.shape,
        hint="predictors = padded[:, :-1].",
    )
    if not np.array_equal(predictors, PREDICTORS):
        raise fail(
            f"the predictors of {what} for padded = {TO_SPLIT.tolist()}",
            expected=PREDICTORS.tolist(),
            received=predictors.tolist(),
            hint="predictors = padded[:, :-1]: every column but the last.",
        )
    labels = _integers(
        value[1],
        f"the labels of {what}",
        LABELS.shape,
        hint="without num_classes the labels are sparse, one id per row: padded[:, -1].",
    )
    if not np.array_equal(labels, LABELS):
        raise fail(
            f"the labels of {what} for padded = {TO_SPLIT.tolist()}",
            expected=LABELS.tolist(),
            received=labels.tolist(),
            hint="labels = padded[:, -1]: the last id of each row is the word to predict.",
        )


@pytest.mark.points(1)
def test_splits_predictors_and_one_hot_labels(submission: Submission) -> None:
    """with num_classes, the labels are one-hot rows of floats"""
    what = f"split_predictors_and_labels(padded, num_classes={NUM_CLASSES})"
    value = submission.call("split_predictors_and_labels", TO_SPLIT, NUM_CLASSES)
    if not isinstance(value, list) or len(value) != 2:
        raise fail(what, expected="a pair (predictors, labels)", received=repr(value)[:80])
    expected = np.eye(NUM_CLASSES, dtype="float32")[LABELS]
    hint = (
        "keras.utils.to_categorical(labels, num_classes=num_classes) gives one row of "
        "num_classes floats per label."
    )
    labels = check_array(value[1], f"the labels of {what}", shape=expected.shape, hint=hint)
    if labels.dtype.kind != "f":
        raise fail(
            f"the dtype of the labels of {what}",
            expected="a float dtype",
            received=labels.dtype,
            hint=hint,
        )
    if not np.array_equal(labels, expected):
        raise fail(
            f"the labels of {what} for padded = {TO_SPLIT.tolist()}",
            expected=f"one-hot rows with the 1.0 in columns {LABELS.tolist()}",
            received=f"rows with their largest value in columns {labels.argmax(axis=1).tolist()}"
            f" (row sums {labels.sum(axis=1).tolist()})",
            hint="a single 1.0 per row, in the column of the row's last id.",
        )
