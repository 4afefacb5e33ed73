"""Week 12 grader, part 1: ``positional_encoding`` (exercise 12.1).

The worker calls ``positional_encoding(length, depth)`` for three sizes drawn afresh at each
grading (``fresh_rng(submission, "positional encoding")``; ranges inclusive, depths even,
as the contract says): a short one, length 2 to 15 and depth 4 to 12; a long one, length
30 to 80 and depth 14 to 32; and a single position, length 1 and depth 4 to 16. This process
compares each result with its own numpy encoding in float64, the paper's interleaved layout
(``PE[pos, 2i] = sin(pos / 10000 ** (2i / depth))``, ``PE[pos, 2i + 1]`` its cosine).
Exact answers, no thresholds: values must agree to 1e-4 (the angles reach 79 radians, where
float32 keeps about 1e-5). The grader's encoding itself is pinned by literal values of the
formula (row 1 of depth 4 is ``[sin 1, cos 1, sin 0.01, cos 0.01]``), checked when
``reference.py`` loads, before any submission is judged. A result that matches a known wrong
layout instead (sin and cos swapped, the TensorFlow tutorial's concatenation, an exponent
per column) is named in the message; depths of 4 or more keep each of them apart from the
paper's layout.

Equivalent mutants:
    positional_encoding:off-by-one:slice_start+1#2 - sin(angles[:, 1::2]) in the even
        columns: the angles of columns 2i and 2i + 1 are equal by construction (one angle
        per pair), so for the even depths the contract allows it is the same array.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, draw_between, fail, fresh_rng

from . import reference

pytestmark = pytest.mark.visibility("visible")

FUNCTION = "positional_encoding"
#: Inclusive ranges of (length, depth) for the three calls; depths are drawn even.
SIZE_RANGES = (((2, 15), (4, 12)), ((30, 80), (14, 32)), ((1, 1), (4, 16)))
TOLERANCE = 1e-4
SHAPE_HINT = "one row per position and one column per dimension: shape (length, depth)."


@pytest.fixture(scope="module")
def encodings(submission: Submission) -> dict[tuple[int, int], object]:
    rng = fresh_rng(submission, "positional encoding")
    sizes = [
        (draw_between(rng, length), 2 * draw_between(rng, (depth[0] // 2, depth[1] // 2)))
        for length, depth in SIZE_RANGES
    ]
    return {size: submission.call(FUNCTION, *size) for size in sizes}


def _call(size: tuple[int, int]) -> str:
    return f"{FUNCTION}({size[0]}, {size[1]})"


def _row(values: np.ndarray) -> str:
    return np.array2string(values, precision=4, suppress_small=True, separator=", ")


@pytest.mark.points(1)
def test_positional_encoding_shape_and_dtype(encodings: dict[tuple[int, int], object]) -> None:
    """positional_encoding(length, depth) is a float32 array of shape (length, depth)"""
    for size, value in encodings.items():
        check_array(
            value,
            _call(size),
            dtype="float32",
            shape=size,
            hint="a float32 array (the dtype of the embeddings it is added to) of shape "
            "(length, depth): end with .astype('float32') or tf.cast(..., tf.float32).",
        )


@pytest.mark.points(2)
def test_positional_encoding_values(encodings: dict[tuple[int, int], object]) -> None:
    """the values are sin in the even columns and cos in the odd ones, as in the paper"""
    for size, value in encodings.items():
        received = check_array(value, _call(size), shape=size, hint=SHAPE_HINT).astype("float64")
        expected = reference.positional_encoding(*size)
        if np.allclose(received, expected, atol=TOLERANCE, rtol=0):
            continue
        variants = reference.positional_encoding_variants(*size)
        mistake = reference.which(received, variants, atol=TOLERANCE)
        row = min(1, size[0] - 1)
        raise fail(
            f"row {row} of {_call(size)}",
            expected=_row(expected[row]),
            received=_row(received[row]) + (f", which is {mistake}" if mistake else ""),
            hint="columns 2i and 2i + 1 share the angle pos / 10000 ** (2i / depth): sin "
            "of it in column 2i, cos in column 2i + 1 (i = column // 2).",
        )
