"""Week 1 grader, part 1: constant tensors and normalisation (exercises 1.1 and 1.2).

Exact answers: no thresholds. A plausible wrong ``normalize`` (dividing by the maximum only,
or keeping the input dtype) fails the check that names that mistake.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check, check_array, check_close, fail


@pytest.fixture(scope="module")
def tensors(submission: Submission) -> dict[str, Any]:
    value = submission.call("make_tensors")
    if not isinstance(value, dict):
        raise fail("make_tensors()", expected="a dict", received=type(value).__name__)
    return value


def _entry(tensors: dict[str, Any], key: str) -> Any:
    if key not in tensors:
        raise fail(
            "the keys of make_tensors()",
            expected=f"to include {key!r}",
            received=sorted(tensors),
            hint="use the key names from the docstring.",
        )
    return tensors[key]


@pytest.mark.points(1)
def test_make_tensors_keys(tensors: dict[str, Any]) -> None:
    """make_tensors returns the keys scalar, vector and matrix"""
    check(
        set(tensors) == {"scalar", "vector", "matrix"},
        f"make_tensors() should return exactly the keys 'scalar', 'vector' and 'matrix'. "
        f"Received: {sorted(tensors)}.",
    )


@pytest.mark.points(1)
def test_scalar(tensors: dict[str, Any]) -> None:
    """the scalar is a rank-0 int32 tensor holding 7"""
    value = check_array(
        _entry(tensors, "scalar"),
        "the 'scalar' tensor",
        dtype="int32",
        shape=(),
        hint="tf.constant(7, dtype=tf.int32) has rank 0.",
    )
    check_close(value, 7, "the 'scalar' tensor")


@pytest.mark.points(1)
def test_vector(tensors: dict[str, Any]) -> None:
    """the vector is a rank-1 float32 tensor [1, 2, 3]"""
    value = check_array(
        _entry(tensors, "vector"),
        "the 'vector' tensor",
        dtype="float32",
        shape=(3,),
        hint="pass dtype=tf.float32 or write the numbers as floats.",
    )
    check_close(value, [1.0, 2.0, 3.0], "the 'vector' tensor")


@pytest.mark.points(1)
def test_matrix(tensors: dict[str, Any]) -> None:
    """the matrix is a 2x3 float32 tensor of ones"""
    value = check_array(
        _entry(tensors, "matrix"),
        "the 'matrix' tensor",
        dtype="float32",
        shape=(2, 3),
        hint="tf.ones((2, 3)) makes it in one call.",
    )
    check_close(value, np.ones((2, 3)), "the 'matrix' tensor")


# Inputs whose minimum is not zero, so dividing by the maximum alone gives other numbers.
_NORMALIZE_INPUTS = [
    np.array([[3.0, -1.0, 5.0], [2.0, 0.5, 1.0]], dtype="float32"),
    np.array([10, 20, 15, 40], dtype="int32"),
    np.array([[[-7.5]], [[2.5]]], dtype="float64"),
]


@pytest.mark.points(2)
def test_normalize_values(submission: Submission) -> None:
    """normalize scales the smallest element to 0 and the largest to 1"""
    for x in _NORMALIZE_INPUTS:
        expected = (x - x.min()) / (x.max() - x.min())
        received = check_array(
            submission.call("normalize", x),
            "normalize(x)",
            shape=x.shape,
            hint="keep the input's shape.",
        )
        check_close(
            received,
            expected,
            f"normalize({x.tolist()})",
            atol=1e-6,
            hint="subtract the minimum first, then divide by (max - min).",
        )


@pytest.mark.points(1)
def test_normalize_dtype(submission: Submission) -> None:
    """normalize returns float32, even for integer input and for tensors"""
    for x in _NORMALIZE_INPUTS:
        for as_tensors in (False, True):
            check_array(
                submission.call("normalize", x, as_tensors=as_tensors),
                f"normalize(x) for {x.dtype} input",
                dtype="float32",
                hint="cast with tf.cast(x, tf.float32) before dividing.",
            )


@pytest.mark.points(1)
def test_normalize_constant_input(submission: Submission) -> None:
    """normalize returns zeros when every element is equal"""
    x = np.full((2, 2), 3.0, dtype="float32")
    received = check_array(submission.call("normalize", x), "normalize of a constant array")
    check_close(
        received,
        np.zeros((2, 2)),
        "normalize of a constant array",
        hint="max - min is 0 here: return zeros instead of dividing by zero.",
    )
