"""Week 1 grader, part 2: gradients with tf.GradientTape (exercises 1.3 to 1.5).

Every input is drawn afresh at each grading (``course.testing.fresh_rng``), and the exact
derivatives are computed here (tolerance 1e-4 for a number, 1e-3 for a tensor or a second
derivative, as ``check_close`` applies it, with its relative 1e-5):

* ``polynomial_gradient`` at a number x with 0.1 <= |x| <= 3 (two decimals), then on a
  float32 tensor of a fresh shape (rank 1 to 3, up to 12 elements) of values in [-3, 3];
* ``second_derivative`` of two polynomials (degrees 3 and 4, coefficients multiples of 0.5
  in [-4, 4], the leading one not 0) and of one of sin, exp and tanh, each at a point x with
  0.1 <= |x| <= 2 (two decimals; at x = 0 TensorFlow's gradient of the grader's ``x**0``
  term is nan);
* ``fit_line`` on two lines, one rising (slope in [0.5, 4]) and one falling (slope in
  [-4, -0.5]), intercepts in [-3, 3] (one decimal), each on 21 to 61 points drawn uniformly
  in [-2, 2], with learning rate 0.05 and 500 steps. A hard-coded pair (w, b) cannot be
  within 0.05 of both lines.

Measured on the reference solution (plain gradient descent from zero, deterministic for given
points): over the lines and points drawn for grading seeds 0-29, the largest error in w or b
after 500 steps was 2.2e-6 (the same gradient descent in numpy, seeds 0-199: 2.1e-6), against
the allowed 0.05. The points are never ill-conditioned enough to slow it down: on these
ranges the mean squared error's Hessian has its smallest eigenvalue at least 0.62 (seeds
0-9,999), so each step shrinks the error by a factor of at most 0.97, and 500 steps by about
1e-7.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

from course.grading.submission import Submission, function_spec
from course.testing import check_array, check_close, fail, fresh_rng

pytestmark = pytest.mark.visibility("visible")

_NONE_GRADIENT_HINT = (
    "tape.gradient(...) returns None when the tape did not watch x: a constant tensor needs "
    "tape.watch(x) (variables are watched automatically)."
)


def _fresh_point(rng: np.random.Generator, limit: float) -> float:
    """A number in [-limit, -0.1] or [0.1, limit], two decimals: never 0, where the
    grader's polynomials (``c * x**0`` included) have no gradient in TensorFlow."""
    return round(float(rng.choice([-1.0, 1.0]) * rng.uniform(0.1, limit)), 2)


def _derivative(x: npt.ArrayLike) -> np.ndarray:
    """The derivative of 3x^3 - 2x^2 + x, computed here in float64."""
    values = np.asarray(x, dtype=np.float64)
    return 9 * values**2 - 4 * values + 1


@pytest.mark.points(1)
def test_polynomial_gradient_at_a_number(submission: Submission) -> None:
    """the derivative of 3x^3 - 2x^2 + x at a number x is 9x^2 - 4x + 1"""
    x = _fresh_point(fresh_rng(submission, "polynomial gradient at a number"), 3.0)
    what = f"polynomial_gradient({x})"
    check_close(
        check_array(submission.call("polynomial_gradient", x), what, hint=_NONE_GRADIENT_HINT),
        _derivative(np.float32(x)),
        what,
        atol=1e-4,
        hint="d/dx (3x^3 - 2x^2 + x) = 9x^2 - 4x + 1; watch x with tape.watch(x).",
    )


@pytest.mark.points(2)
def test_polynomial_gradient_elementwise(submission: Submission) -> None:
    """polynomial_gradient gives one derivative per element of a tensor"""
    rng = fresh_rng(submission, "polynomial gradient of a tensor")
    shape = tuple(int(n) for n in rng.integers(1, 5, size=int(rng.integers(1, 4))))
    x = rng.uniform(-3, 3, size=shape).astype("float32")
    received = check_array(
        submission.call("polynomial_gradient", x, as_tensors=True),
        "polynomial_gradient(x)",
        dtype="float32",
        shape=x.shape,
        hint="the gradient of a sum has the shape of x. " + _NONE_GRADIENT_HINT,
    )
    check_close(received, _derivative(x), "polynomial_gradient(x)", atol=1e-3)


#: A function to differentiate twice: its spec for the worker, its formula, its f'' here.
Case = tuple[dict[str, object], str, Callable[[float], float]]


def _polynomial_case(rng: np.random.Generator, degree: int) -> Case:
    """A polynomial of ``degree`` with coefficients multiples of 0.5 in [-4, 4]: its spec,
    its formula and its second derivative."""
    coefficients = [float(c) for c in rng.integers(-8, 9, size=degree + 1) * 0.5]
    if coefficients[-1] == 0:
        coefficients[-1] = float(rng.choice([-1.0, 1.0]) * rng.integers(1, 9) * 0.5)
    terms = [
        f"{c:g}" + ("" if power == 0 else "x" if power == 1 else f"x^{power}")
        for power, c in enumerate(coefficients)
        if c != 0
    ]
    formula = " + ".join(terms).replace("+ -", "- ")

    def second(x: float) -> float:
        return sum(c * k * (k - 1) * x ** (k - 2) for k, c in enumerate(coefficients) if k >= 2)

    return function_spec("polynomial", coefficients=coefficients), formula, second


_TRANSCENDENTAL: dict[str, Callable[[float], float]] = {
    "sin": lambda x: -math.sin(x),
    "exp": math.exp,
    "tanh": lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2),
}


@pytest.mark.points(2)
def test_second_derivative(submission: Submission) -> None:
    """second_derivative matches f'' for two polynomials and one of sin, exp and tanh"""
    rng = fresh_rng(submission, "second derivative")
    cases = [_polynomial_case(rng, 3), _polynomial_case(rng, 4)]
    kind = str(rng.choice(sorted(_TRANSCENDENTAL)))
    cases.append((function_spec(kind), f"{kind}(x)", _TRANSCENDENTAL[kind]))
    for spec, formula, second in cases:
        x = _fresh_point(rng, 2.0)
        what = f"the second derivative of {formula} at x = {x}"
        check_close(
            check_array(submission.call("second_derivative", spec, x), what),
            second(float(np.float32(x))),
            what,
            atol=1e-3,
            hint="take the gradient of the inner tape's gradient with the outer tape.",
        )


def fresh_lines(submission: Submission) -> list[tuple[float, float, np.ndarray, np.ndarray]]:
    """Two lines for this grading, one rising and one falling: ``(w, b, xs, ys)`` each, on
    21 to 61 points drawn uniformly in [-2, 2]."""
    rng = fresh_rng(submission, "fit_line")
    lines = []
    for sign in (1.0, -1.0):
        w = sign * round(float(rng.uniform(0.5, 4.0)), 1)
        b = round(float(rng.uniform(-3.0, 3.0)), 1)
        xs = rng.uniform(-2.0, 2.0, size=int(rng.integers(21, 62))).astype("float32")
        lines.append((w, b, xs, (w * xs + b).astype("float32")))
    return lines


@pytest.mark.visibility("hidden")
@pytest.mark.points(3)
def test_fit_line(submission: Submission) -> None:
    """fit_line recovers the slope and intercept of two lines within 0.05"""
    for true_w, true_b, xs, ys in fresh_lines(submission):
        result = submission.call("fit_line", xs, ys, 0.05, 500)
        if not isinstance(result, list) or len(result) != 2:
            raise fail("fit_line(...)", expected="a pair (w, b)", received=repr(result)[:80])
        w, b = (
            float(np.asarray(v).reshape(-1)[0]) if np.size(v) == 1 else math.nan for v in result
        )
        if not (abs(w - true_w) <= 0.05 and abs(b - true_b) <= 0.05):
            raise fail(
                f"(w, b) for {len(xs)} points on y = {true_w}x + {true_b}",
                expected=f"within 0.05 of ({true_w}, {true_b})",
                received=f"({w:.4f}, {b:.4f})",
                hint="update both variables every step: w.assign_sub(learning_rate * dw).",
            )
