"""Week 12 grader, part 2: ``create_padding_mask`` and ``create_look_ahead_mask`` (12.2, 12.3).

The course's mask convention is Keras's: True (or 1) = may attend, False (or 0) = masked.
Drawn afresh at each grading (``fresh_rng(submission, "masks")``; ranges inclusive): the
worker calls ``create_padding_mask`` on a batch of token ids (a ``tf.int32`` tensor) of 2
to 5 sentences of 4 to 10 ids, ids from 1 to 99, each sentence ending in 0 to length - 1
padding zeros; the first sentence has no padding at its end and the second a 0 between two
words (every 0 is padding, wherever it is), the rows in random order. ``create_look_ahead_mask``
is called for size 1 and two sizes from 2 to 10. Exact answers: each mask must have the
contract's shape, hold only True/False (or 0/1) and equal this process's mask. Booleans are
asked for; 0/1 numbers are accepted, since ``MultiHeadAttention`` and exercise 12.4 read
them the same way. A mask that is the exact opposite (the older TensorFlow tutorial's 1 =
masked), the transpose, or a look-ahead mask without its diagonal is named in the message.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, draw_between, fail, fresh_rng

from . import reference

pytestmark = pytest.mark.visibility("visible")

SENTENCES = (2, 5)  # inclusive, as are the other ranges
LENGTH = (4, 10)
VOCABULARY = (1, 99)
LOOK_AHEAD_SIZES = (2, 10)
CONVENTION = (
    "this course uses Keras's convention, True = may attend (the older TensorFlow tutorial's "
    "masks use 1 = masked)"
)


def check_mask(
    value: object, call: str, expected: np.ndarray, known: dict[str, np.ndarray], hint: str
) -> None:
    """The submission's mask must hold True/False (or 1/0) and equal ``expected``; a mask
    equal to one of the ``known`` mistakes is named in the message."""
    value = check_array(value, call, shape=expected.shape, kind="biuf", hint=hint)
    if value.dtype.kind != "b" and not np.isin(value, (0, 1)).all():
        raise fail(
            f"the values of {call}",
            expected="True/False (or 1/0)",
            received=f"values from {value.min()} to {value.max()}",
            hint=hint,
        )
    mask = value.astype(int)
    if not np.array_equal(mask, expected):
        mistake = reference.which(mask, known)
        raise fail(
            call + " (as 1/0)",
            expected=show(expected),
            received=show(mask) + (f", {mistake}" if mistake else ""),
            hint=hint,
        )


@pytest.fixture(scope="module")
def token_ids(submission: Submission) -> np.ndarray:
    """The grader's batch of token ids, int32 (see the module docstring)."""
    rng = fresh_rng(submission, "masks")
    batch, length = draw_between(rng, SENTENCES), draw_between(rng, LENGTH)
    ids = rng.integers(VOCABULARY[0], VOCABULARY[1] + 1, size=(batch, length))
    for row in range(1, batch):
        # Row 1 keeps at least three positions before its padding, for a 0 between words.
        padding = int(rng.integers(0, length - 2 if row == 1 else length))
        ids[row, length - padding :] = 0
        if row == 1:
            ids[row, int(rng.integers(1, length - padding - 1))] = 0
    return ids[rng.permutation(batch)].astype("int32")


def show(mask: np.ndarray) -> str:
    return np.array2string(mask.astype(int), separator=",").replace("\n", "")


@pytest.mark.points(1)
def test_padding_mask(submission: Submission, token_ids: np.ndarray) -> None:
    """create_padding_mask is True for real tokens and False for padding, shape (batch, 1, seq)"""
    expected = (token_ids != 0)[:, np.newaxis, :]
    check_mask(
        submission.call("create_padding_mask", token_ids, as_tensors=True),
        f"create_padding_mask({token_ids.tolist()})",
        expected,
        {"the opposite of the course's mask": ~expected},
        hint=f"{CONVENTION}: True where the token id is not 0, wherever the 0 is. "
        "tf.not_equal(token_ids, 0)[:, tf.newaxis, :]: True where the id is not 0.",
    )


@pytest.mark.points(1)
def test_look_ahead_mask(submission: Submission) -> None:
    """create_look_ahead_mask(n) is True on and below the diagonal: itself and earlier words"""
    rng = fresh_rng(submission, "look-ahead sizes")
    drawn = rng.integers(LOOK_AHEAD_SIZES[0], LOOK_AHEAD_SIZES[1] + 1, size=2)
    for size in (int(drawn[0]), 1, int(drawn[1])):
        expected = np.tril(np.ones((size, size), dtype=bool))
        check_mask(
            submission.call("create_look_ahead_mask", size),
            f"create_look_ahead_mask({size})",
            expected,
            {
                "the opposite of the course's mask (True above the diagonal)": ~expected,
                "the transpose (True on and above the diagonal: each word would see the words "
                "after it)": expected.T,
                "missing the diagonal (a word may attend to itself)": np.tril(expected, -1),
            },
            hint=f"row i is the query, column j the key: True where j <= i; {CONVENTION}. The "
            "lower triangle with its diagonal: tf.linalg.band_part(tf.ones((n, n)), -1, 0).",
        )
