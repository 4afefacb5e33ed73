"""Week 1 grader, part 1: constant tensors and normalisation (exercises 1.1 and 1.2).

Exact answers: no thresholds. ``make_tensors`` takes no input; its constants are the
contract's. The inputs to ``normalize`` are drawn afresh at each grading
(``course.testing.fresh_rng``): three arrays of a fresh shape (rank 1 to 3, 2 to 12
elements), one float32, one int32 and one float64, with values on a grid of 0.25 (floats) or
whole numbers (int32) between -20 and 40, and a constant array of a fresh shape and value.
Every drawn array has a minimum that is not zero and two different values, so dividing by
the maximum alone, or keeping the input dtype, fails the check that names that mistake at
every seed.

Equivalent mutants:
    normalize:flip-comparison:>= - ``span >= 0`` in the outer tf.where still gives zeros
        for a constant array (0 / 1.0 is 0) and the scaled values otherwise.
    normalize:flip-comparison:>=#2 - ``span >= 0`` in the inner tf.where divides a
        constant array by 0, but the outer tf.where keeps only its zeros.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check, check_array, check_close, fail, fresh_rng

pytestmark = pytest.mark.visibility("visible")


@pytest.fixture(scope="module")
def tensors(submission: Submission) -> dict[str, Any]:
    value = submission.call("make_tensors")
    if not isinstance(value, dict):
        raise fail("make_tensors()", expected="a dict", received=type(value).__name__)
    return value


#: What make_tensors returns under each key: the dtype, the value (its shape too), and a hint.
TENSORS: dict[str, tuple[str, np.ndarray, str]] = {
    "scalar": ("int32", np.array(7), "tf.constant(7, dtype=tf.int32) has rank 0."),
    "vector": ("float32", np.array([1.0, 2.0, 3.0]), "pass dtype=tf.float32 or write floats."),
    "matrix": ("float32", np.ones((2, 3)), "tf.ones((2, 3)) makes it in one call."),
}


def _check_tensor(tensors: dict[str, Any], key: str) -> None:
    """``make_tensors()[key]`` is the tensor ``TENSORS`` describes."""
    if key not in tensors:
        raise fail(
            "the keys of make_tensors()",
            expected=f"to include {key!r}",
            received=sorted(tensors),
            hint="use the key names from the docstring.",
        )
    dtype, expected, hint = TENSORS[key]
    what = f"the {key!r} tensor"
    value = check_array(tensors[key], what, dtype=dtype, shape=expected.shape, hint=hint)
    check_close(value, expected, what)


@pytest.mark.points(1)
def test_make_tensors_keys(tensors: dict[str, Any]) -> None:
    """make_tensors returns the keys scalar, vector and matrix"""
    check(
        set(tensors) == set(TENSORS),
        f"make_tensors() should return exactly the keys 'scalar', 'vector' and 'matrix'. "
        f"Received: {sorted(tensors)}.",
    )


@pytest.mark.points(1)
def test_scalar(tensors: dict[str, Any]) -> None:
    """the scalar is a rank-0 int32 tensor holding 7"""
    _check_tensor(tensors, "scalar")


@pytest.mark.points(1)
def test_vector(tensors: dict[str, Any]) -> None:
    """the vector is a rank-1 float32 tensor [1, 2, 3]"""
    _check_tensor(tensors, "vector")


@pytest.mark.points(1)
def test_matrix(tensors: dict[str, Any]) -> None:
    """the matrix is a 2x3 float32 tensor of ones"""
    _check_tensor(tensors, "matrix")


def _fresh_shape(rng: np.random.Generator) -> tuple[int, ...]:
    """A shape of rank 1 to 3 with 2 to 12 elements."""
    while True:
        shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 4))))
        if 2 <= int(np.prod(shape)) <= 12:
            return shape


def _fresh_input(rng: np.random.Generator, dtype: str) -> np.ndarray:
    """Values of ``dtype`` in a fresh shape: at least two different ones, and a minimum that
    is not zero (so dividing by the maximum alone gives other numbers)."""
    shape = _fresh_shape(rng)
    step = 1 if dtype == "int32" else 0.25
    low = int(rng.integers(-20, 16)) or 1
    values = low + step * rng.integers(0, int(24 / step) + 1, size=shape)
    flat = values.reshape(-1)
    flat[int(rng.integers(flat.size))] = low  # the minimum, never 0
    top = low + step * int(rng.integers(4, int(24 / step) + 1))
    flat[(int(np.argmin(flat)) + 1) % flat.size] = top  # a larger value beside it
    return values.astype(dtype)


@pytest.fixture(scope="module")
def normalize_inputs(submission: Submission) -> list[np.ndarray]:
    """Three arrays drawn for this grading: float32, int32 and float64."""
    rng = fresh_rng(submission, "normalize")
    return [_fresh_input(rng, dtype) for dtype in ("float32", "int32", "float64")]


@pytest.mark.points(2)
def test_normalize_values(submission: Submission, normalize_inputs: list[np.ndarray]) -> None:
    """normalize scales the smallest element to 0 and the largest to 1"""
    for x in normalize_inputs:
        what = f"normalize({x.tolist()})"
        check_close(
            check_array(submission.call("normalize", x), what),
            (x - x.min()) / (x.max() - x.min()),
            what,
            atol=1e-6,
            hint="keep the input's shape; subtract the minimum first, then divide by (max - min).",
        )


@pytest.mark.points(1)
def test_normalize_dtype(submission: Submission, normalize_inputs: list[np.ndarray]) -> None:
    """normalize returns float32, even for integer input and for tensors"""
    for x in normalize_inputs:
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
    rng = fresh_rng(submission, "normalize a constant array")
    value = float(rng.integers(1, 41)) * rng.choice([-0.5, 0.5])
    x = np.full(_fresh_shape(rng), value, dtype="float32")
    what = f"normalize of an array of shape {x.shape} filled with {value:g}"
    check_close(
        check_array(submission.call("normalize", x), what),
        np.zeros(x.shape),
        what,
        hint="max - min is 0 here: return zeros instead of dividing by zero.",
    )
