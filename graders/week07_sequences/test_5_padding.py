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


@pytest.fixture(scope="module")
def drawn(submission: Submission) -> Draw:
    rng = fresh_rng(submission, "padding and splitting")
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


def _check_ids(value: object, expected: np.ndarray, what: str, hint: str) -> None:
    """``value`` is ``expected``: the same ids, in an integer dtype."""
    received = check_array(value, what, shape=expected.shape, hint=hint)
    if received.dtype.kind not in "iu" or not np.array_equal(received, expected):
        raise fail(
            what,
            expected=f"{expected.tolist()}, in an integer dtype",
            received=f"{received.tolist()}, in {received.dtype}",
            hint=hint,
        )


def _pair(value: object, what: str) -> list[object]:
    if not isinstance(value, list) or len(value) != 2:
        raise fail(what, expected="a pair (predictors, labels)", received=repr(value)[:80])
    return value


@pytest.mark.points(2)
def test_pads_with_zeros_on_the_left(submission: Submission, drawn: Draw) -> None:
    """pad_to_longest adds zeros before each sequence (pre-padding)"""
    _check_ids(
        submission.call("pad_to_longest", drawn.sequences),
        text.pad(drawn.sequences),
        f"pad_to_longest({drawn.sequences})",
        hint="pad on the left, so that every sequence ends in the last column: "
        "keras.utils.pad_sequences(sequences, padding='pre').",
    )


@pytest.mark.points(1)
def test_pads_to_the_longest_sequence(submission: Submission, drawn: Draw) -> None:
    """pad_to_longest makes every row as long as the longest sequence, whichever it is"""
    uneven = drawn.uneven
    what = f"pad_to_longest({uneven})"
    width = max(map(len, uneven))
    position = [len(sequence) for sequence in uneven].index(width)
    received = check_array(
        submission.call("pad_to_longest", uneven),
        what,
        shape=(len(uneven), width),
        hint=f"the width is the length of the longest sequence (here sequence {position}, "
        f"{width} ids), neither a fixed number nor the first sequence's length.",
    )
    # Zeros on the wrong side are the first check's mistake; here the lengths count.
    kept = [row[row != 0].tolist() for row in received]
    if received.dtype.kind not in "iu" or kept != uneven:
        raise fail(
            f"the ids kept by {what}",
            expected=f"{uneven}, in an integer dtype",
            received=f"{kept}, in {received.dtype}",
            hint="keep every id of every sequence (do not truncate), as ints: "
            "keras.utils.pad_sequences gives int32.",
        )


@pytest.mark.points(1)
def test_splits_predictors_and_sparse_labels(submission: Submission, drawn: Draw) -> None:
    """predictors are all columns but the last; sparse labels are the last column"""
    padded = drawn.to_split
    what = "split_predictors_and_labels(padded)"
    value = _pair(submission.call("split_predictors_and_labels", padded), what)
    what += f" for padded = {padded.tolist()}"
    _check_ids(
        value[0],
        padded[:, :-1],
        f"the predictors of {what}",
        hint="predictors = padded[:, :-1]: every column but the last.",
    )
    _check_ids(
        value[1],
        padded[:, -1],
        f"the labels of {what}",
        hint="without num_classes the labels are sparse, one id per row: padded[:, -1], the "
        "last id of each row, the word to predict.",
    )


@pytest.mark.points(1)
def test_splits_predictors_and_one_hot_labels(submission: Submission, drawn: Draw) -> None:
    """with num_classes, the labels are one-hot rows of floats"""
    padded, num_classes = drawn.to_split, drawn.num_classes
    what = f"split_predictors_and_labels(padded, num_classes={num_classes})"
    label_ids = padded[:, -1]
    expected = np.eye(num_classes, dtype="float32")[label_ids]
    hint = (
        "keras.utils.to_categorical(labels, num_classes=num_classes) gives one row of "
        "num_classes floats per label."
    )
    value = _pair(submission.call("split_predictors_and_labels", padded, num_classes), what)
    labels = check_array(value[1], f"the labels of {what}", shape=expected.shape, hint=hint)
    if labels.dtype.kind != "f" or not np.array_equal(labels, expected):
        raise fail(
            f"the labels of {what} for padded = {padded.tolist()}",
            expected=f"one-hot rows of floats with the 1.0 in columns {label_ids.tolist()}",
            received=f"{labels.dtype} rows with their largest value in columns "
            f"{labels.argmax(axis=1).tolist()} (row sums {labels.sum(axis=1).tolist()})",
            hint="a single 1.0 per row, in the column of the row's last id: " + hint,
        )
