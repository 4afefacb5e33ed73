"""course.testing.check_array: the array, its dtype or dtype kind, and its shape, each
failing with a message that names what was expected and what came back."""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.errors import CheckFailed
from course.testing import check_array


def test_an_array_of_the_right_kind_and_shape_is_returned() -> None:
    """Any dtype of the kinds named passes, and the array comes back unchanged."""
    for dtype in ("float32", "float64", "int8", "uint8", "bool"):
        value = np.zeros((2, 3), dtype=dtype)
        assert check_array(value, "x", shape=(2, None), kind="biuf") is value


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (np.zeros(3, "int64"), {"kind": "f"}, "should be floats. Received: an array of int64"),
        (np.zeros(3, "float32"), {"kind": "iu"}, "should be integers"),
        (np.array(["a"]), {"kind": "fiu"}, "should be numbers"),
        (np.zeros(3, "float32"), {"kind": "b"}, "should be booleans"),
        (np.zeros(3, "float32"), {"dtype": "float64"}, "should be float64"),
        (np.zeros((2, 3)), {"shape": (3, 2)}, "should be (3, 2)"),
        ([1.0, 2.0], {"kind": "f"}, "should be a tensor or array"),
    ],
)
def test_each_mismatch_names_what_was_expected(
    value: object, kwargs: dict[str, object], expected: str
) -> None:
    with pytest.raises(CheckFailed) as failure:
        check_array(value, "the forecast", hint="return floats.", **kwargs)  # type: ignore[arg-type]
    message = str(failure.value)
    assert expected in message
    assert "return floats." in message


def test_the_shape_is_judged_before_the_kind() -> None:
    """An array wrong in both shape and kind is told about its shape first."""
    with pytest.raises(CheckFailed, match="the shape of x"):
        check_array(np.zeros(2, "int64"), "x", shape=(3,), kind="f")
    with pytest.raises(CheckFailed, match="the dtype of x"):
        check_array(np.zeros(3, "int64"), "x", shape=(3,), kind="f")
