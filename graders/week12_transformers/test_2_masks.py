"""Week 12 grader, part 2: ``create_padding_mask`` and ``create_look_ahead_mask`` (12.2, 12.3).

The course's mask convention is Keras's: True (or 1) = may attend, False (or 0) = masked.
The worker calls ``create_padding_mask`` on a batch of token ids (a ``tf.int32`` tensor, 3
sentences of 5 ids, one with a 0 between words: every 0 is padding, wherever it is) and
``create_look_ahead_mask`` for sizes 4, 1 and 6. Exact answers: each mask must have the
contract's shape, hold only True/False (or 0/1) and equal this process's mask. Booleans are
asked for; 0/1 numbers are accepted, since ``MultiHeadAttention`` and exercise 12.4 read
them the same way. A mask that is the exact opposite (the older TensorFlow tutorial's 1 =
masked), the transpose, or a look-ahead mask without its diagonal is named in the message.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import fail, format_shape

TOKEN_IDS = np.array([[5, 9, 2, 0, 0], [3, 0, 0, 0, 0], [4, 0, 8, 6, 7]], dtype="int32")
SIZES = (4, 1, 6)
CONVENTION = (
    "this course uses Keras's convention, True = may attend (the older TensorFlow tutorial's "
    "masks use 1 = masked)"
)


def as_mask(value: Any, what: str, shape: tuple[int, ...], hint: str) -> np.ndarray:
    """The submission's mask as booleans, or a failed check saying what is wrong with it."""
    if type(value) is not np.ndarray or value.dtype.kind not in "biuf":
        raise fail(what, expected="a boolean tensor", received=type(value).__name__, hint=hint)
    if value.shape != shape:
        raise fail(
            f"the shape of {what}",
            expected=format_shape(shape),
            received=format_shape(value.shape),
            hint=hint,
        )
    if value.dtype.kind != "b" and not np.isin(value, (0, 1)).all():
        raise fail(
            f"the values of {what}",
            expected="True/False (or 1/0)",
            received=f"values from {value.min()} to {value.max()}",
            hint=hint,
        )
    return value.astype(bool)


def show(mask: np.ndarray) -> str:
    return np.array2string(mask.astype(int), separator=",").replace("\n", "")


@pytest.mark.points(1)
def test_padding_mask(submission: Submission) -> None:
    """create_padding_mask is True for real tokens and False for padding, shape (batch, 1, seq)"""
    call = f"create_padding_mask({TOKEN_IDS.tolist()})"
    hint = "tf.not_equal(token_ids, 0)[:, tf.newaxis, :]: True where the id is not 0."
    value = submission.call("create_padding_mask", TOKEN_IDS, as_tensors=True)
    batch, length = TOKEN_IDS.shape
    mask = as_mask(value, call, (batch, 1, length), hint)
    expected = (TOKEN_IDS != 0)[:, np.newaxis, :]
    if np.array_equal(mask, expected):
        return
    raise fail(
        call + " (as 1/0)",
        expected=show(expected),
        received=show(mask)
        + ("; it is the opposite of the course's mask" if np.array_equal(mask, ~expected) else ""),
        hint=f"{CONVENTION}: True where the token id is not 0, wherever the 0 is. " + hint,
    )


@pytest.mark.points(1)
def test_look_ahead_mask(submission: Submission) -> None:
    """create_look_ahead_mask(n) is True on and below the diagonal: itself and earlier words"""
    hint = "The lower triangle with its diagonal: tf.linalg.band_part(tf.ones((n, n)), -1, 0)."
    for size in SIZES:
        call = f"create_look_ahead_mask({size})"
        mask = as_mask(submission.call("create_look_ahead_mask", size), call, (size, size), hint)
        expected = np.tril(np.ones((size, size), dtype=bool))
        if np.array_equal(mask, expected):
            continue
        known = {
            "the opposite of the course's mask (True above the diagonal)": ~expected,
            "the transpose (True on and above the diagonal: each word would see the words "
            "after it)": expected.T,
            "missing the diagonal (a word may attend to itself)": np.tril(expected, -1),
        }
        mistake = next((name for name, wrong in known.items() if np.array_equal(mask, wrong)), "")
        raise fail(
            call + " (as 1/0)",
            expected=show(expected),
            received=show(mask) + (f", {mistake}" if mistake else ""),
            hint=f"row i is the query, column j the key: True where j <= i; {CONVENTION}. " + hint,
        )
