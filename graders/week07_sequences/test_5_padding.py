"""Week 7 grader, part 5: ``pad_to_longest`` and ``split_predictors_and_labels`` (7.7, 7.8).

Exact answers on sequences drawn at each grading (``fresh_rng``), the expected arrays
computed here (text.py's ``pad``). Ids may come back in any integer dtype, one-hot
labels in any float dtype (``to_categorical`` gives float64). Drawn:

* pre-padding: 3 to 6 sequences of 1 to 8 ids from 1 to 99, not all of one length;
* padding to the longest: 4 to 7 sequences of 1 to 6 ids, one of them a single id, and a
  longest one of 7 to 10 ids that is neither the first nor the last;
* splitting: ``num_classes`` from 8 to 40 and a pre-padded array (made here, so that a
  padding mistake does not fail these checks too) of 3 to 7 rows of 3 to 9 columns with
  ids below ``num_classes - 1``, whose last column differs from the one before it and from
  the first (so that the wrong column fails) and whose largest label is not
  ``num_classes - 1`` (so that ``to_categorical`` without ``num_classes`` fails).

Equivalent mutants:
    pad_to_longest:default-argument:padding - pad_sequences pads at the front by
        default: padding="pre" left out is the same call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, fail, fresh_rng

from . import text

pytestmark = pytest.mark.visibility("visible")


@dataclass(frozen=True)
class Draw:
    """One grading's sequences and the array to split."""

    sequences: list[list[int]]
    uneven: list[list[int]]
    to_split: np.ndarray
    num_classes: int


def _sequences(rng: np.random.Generator, lengths: np.ndarray, highest: int = 99) -> list[list[int]]:
    return [[int(i) for i in rng.integers(1, highest + 1, size=int(n))] for n in lengths]


def _draw(rng: np.random.Generator) -> Draw:
    while True:
        lengths = rng.integers(1, 9, size=int(rng.integers(3, 7)))
        if len(set(lengths.tolist())) > 1:
            break
    count = int(rng.integers(4, 8))
    uneven_lengths = rng.integers(1, 7, size=count)
    longest = int(rng.integers(1, count - 1))
    uneven_lengths[longest] = int(rng.integers(7, 11))
    uneven_lengths[rng.choice([i for i in range(count) if i != longest])] = 1
    num_classes = int(rng.integers(8, 41))
    while True:
        rows = _sequences(
            rng, rng.integers(2, 10, size=int(rng.integers(3, 8))), highest=num_classes - 2
        )
        to_split = text.pad(rows)
        if (
            to_split.shape[1] >= 3
            and not np.array_equal(to_split[:, -1], to_split[:, -2])
            and not np.array_equal(to_split[:, -1], to_split[:, 0])
        ):
            break
    return Draw(_sequences(rng, lengths), _sequences(rng, uneven_lengths), to_split, num_classes)


@pytest.fixture(scope="module")
def drawn(submission: Submission) -> Draw:
    return _draw(fresh_rng(submission, "padding and splitting"))


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
def test_pads_with_zeros_on_the_left(submission: Submission, drawn: Draw) -> None:
    """pad_to_longest adds zeros before each sequence (pre-padding)"""
    hint = (
        "pad on the left, so that every sequence ends in the last column: "
        "keras.utils.pad_sequences(sequences, padding='pre')."
    )
    what = f"pad_to_longest({drawn.sequences})"
    padded = text.pad(drawn.sequences)
    received = _integers(
        submission.call("pad_to_longest", drawn.sequences), what, padded.shape, hint
    )
    if not np.array_equal(received, padded):
        raise fail(what, expected=padded.tolist(), received=received.tolist(), hint=hint)


@pytest.mark.points(1)
def test_pads_to_the_longest_sequence(submission: Submission, drawn: Draw) -> None:
    """pad_to_longest makes every row as long as the longest sequence, whichever it is"""
    uneven = drawn.uneven
    what = f"pad_to_longest({uneven})"
    width = max(map(len, uneven))
    position = [len(sequence) for sequence in uneven].index(width)
    received = _integers(
        submission.call("pad_to_longest", uneven),
        what,
        (len(uneven), width),
        hint=f"the width is the length of the longest sequence (here sequence {position}, "
        f"{width} ids), neither a fixed number nor the first sequence's length.",
    )
    # Zeros on the wrong side are the first check's mistake; here the lengths count.
    kept = [row[row != 0].tolist() for row in received]
    if kept != uneven:
        raise fail(
            f"the ids kept by {what}",
            expected=uneven,
            received=kept,
            hint="keep every id of every sequence: do not truncate.",
        )


@pytest.mark.points(1)
def test_splits_predictors_and_sparse_labels(submission: Submission, drawn: Draw) -> None:
    """predictors are all columns but the last; sparse labels are the last column"""
    what = "split_predictors_and_labels(padded)"
    padded = drawn.to_split
    predictors_expected, labels_expected = padded[:, :-1], padded[:, -1]
    value = submission.call("split_predictors_and_labels", padded)
    if not isinstance(value, list) or len(value) != 2:
        raise fail(what, expected="a pair (predictors, labels)", received=repr(value)[:80])
    predictors = _integers(
        value[0],
        f"the predictors of {what}",
        predictors_expected.shape,
        hint="predictors = padded[:, :-1].",
    )
    if not np.array_equal(predictors, predictors_expected):
        raise fail(
            f"the predictors of {what} for padded = {padded.tolist()}",
            expected=predictors_expected.tolist(),
            received=predictors.tolist(),
            hint="predictors = padded[:, :-1]: every column but the last.",
        )
    labels = _integers(
        value[1],
        f"the labels of {what}",
        labels_expected.shape,
        hint="without num_classes the labels are sparse, one id per row: padded[:, -1].",
    )
    if not np.array_equal(labels, labels_expected):
        raise fail(
            f"the labels of {what} for padded = {padded.tolist()}",
            expected=labels_expected.tolist(),
            received=labels.tolist(),
            hint="labels = padded[:, -1]: the last id of each row is the word to predict.",
        )


@pytest.mark.points(1)
def test_splits_predictors_and_one_hot_labels(submission: Submission, drawn: Draw) -> None:
    """with num_classes, the labels are one-hot rows of floats"""
    padded, num_classes = drawn.to_split, drawn.num_classes
    what = f"split_predictors_and_labels(padded, num_classes={num_classes})"
    value = submission.call("split_predictors_and_labels", padded, num_classes)
    if not isinstance(value, list) or len(value) != 2:
        raise fail(what, expected="a pair (predictors, labels)", received=repr(value)[:80])
    label_ids = padded[:, -1]
    expected = np.eye(num_classes, dtype="float32")[label_ids]
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
            f"the labels of {what} for padded = {padded.tolist()}",
            expected=f"one-hot rows with the 1.0 in columns {label_ids.tolist()}",
            received=f"rows with their largest value in columns {labels.argmax(axis=1).tolist()}"
            f" (row sums {labels.sum(axis=1).tolist()})",
            hint="a single 1.0 per row, in the column of the row's last id.",
        )
