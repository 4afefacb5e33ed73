"""Week 1 grader, part 2: gradients with tf.GradientTape (exercises 1.3 to 1.5).

Exact derivatives are compared with values the grader computes itself (tolerance 1e-4).
``fit_line`` is run on two lines the student never sees (y = 3x + 2 and y = -1.5x + 0.5 on
41 points in [-2, 2]); measured on the reference solution (learning rate 0.05, 500 steps,
seeds 0-4; plain gradient descent from zero is deterministic): w and b equal the true values
to 5 decimals on every seed, against the allowed 0.05. A hard-coded (3, 2) fails the second
line.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from course.grading.submission import Submission, function_spec
from course.testing import check_array, check_close, fail

_NONE_GRADIENT_HINT = (
    "tape.gradient(...) returns None when the tape did not watch x: a constant tensor needs "
    "tape.watch(x) (variables are watched automatically)."
)


@pytest.mark.points(1)
def test_polynomial_gradient_at_two(submission: Submission) -> None:
    """the derivative of 3x^3 - 2x^2 + x at x = 2 is 29"""
    received = check_array(
        submission.call("polynomial_gradient", 2.0),
        "polynomial_gradient(2.0)",
        hint=_NONE_GRADIENT_HINT,
    )
    check_close(
        received,
        29.0,
        "polynomial_gradient(2.0)",
        atol=1e-4,
        hint="d/dx (3x^3 - 2x^2 + x) = 9x^2 - 4x + 1; watch x with tape.watch(x).",
    )


@pytest.mark.points(2)
def test_polynomial_gradient_elementwise(submission: Submission) -> None:
    """polynomial_gradient gives one derivative per element of a tensor"""
    x = np.array([[-1.5, 0.0, 0.5], [1.0, 3.0, -2.0]], dtype="float32")
    expected = 9 * x**2 - 4 * x + 1
    received = check_array(
        submission.call("polynomial_gradient", x, as_tensors=True),
        "polynomial_gradient(x)",
        dtype="float32",
        shape=x.shape,
        hint="the gradient of a sum has the shape of x. " + _NONE_GRADIENT_HINT,
    )
    check_close(received, expected, "polynomial_gradient(x)", atol=1e-3)


@pytest.mark.points(2)
def test_second_derivative(submission: Submission) -> None:
    """second_derivative matches f'' for polynomials and sin"""
    cases = [
        (function_spec("polynomial", coefficients=[0.0, 0.0, 0.0, 1.0]), 2.0, 12.0, "x^3"),
        (
            function_spec("polynomial", coefficients=[1.0, -2.0, 4.0, 0.0, 0.5]),
            -1.0,
            14.0,
            "1 - 2x + 4x^2 + 0.5x^4",
        ),
        (function_spec("sin"), 0.5, -math.sin(0.5), "sin(x)"),
    ]
    for spec, x, expected, formula in cases:
        received = check_array(
            submission.call("second_derivative", spec, x), f"second_derivative({formula}, {x})"
        )
        check_close(
            received,
            expected,
            f"the second derivative of {formula} at x = {x}",
            atol=1e-3,
            hint="take the gradient of the inner tape's gradient with the outer tape.",
        )


def _line(w: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    xs = np.linspace(-2.0, 2.0, 41).astype("float32")
    return xs, (w * xs + b).astype("float32")


@pytest.mark.points(3)
def test_fit_line(submission: Submission) -> None:
    """fit_line recovers the slope and intercept of two lines within 0.05"""
    for true_w, true_b in ((3.0, 2.0), (-1.5, 0.5)):
        xs, ys = _line(true_w, true_b)
        result = submission.call("fit_line", xs, ys, 0.05, 500)
        if not isinstance(result, list) or len(result) != 2:
            raise fail("fit_line(...)", expected="a pair (w, b)", received=repr(result)[:80])
        w, b = (
            float(np.asarray(v).reshape(-1)[0]) if np.size(v) == 1 else math.nan for v in result
        )
        if not (abs(w - true_w) <= 0.05 and abs(b - true_b) <= 0.05):
            raise fail(
                f"(w, b) for points on y = {true_w}x + {true_b}",
                expected=f"within 0.05 of ({true_w}, {true_b})",
                received=f"({w:.4f}, {b:.4f})",
                hint="update both variables every step: w.assign_sub(learning_rate * dw).",
            )
