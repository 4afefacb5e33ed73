"""Week 10 grader, part 5: the custom layer and loss train a model (exercise 10.5).

Data, generated here with a fixed seed (``DATA_SEED``, the same for every grading seed):
1,000 points ``x`` uniform in [-3, 3] on the parabola ``y = 0.5 x² - x + 2``, plus normal
noise (standard deviation 0.3); one point in ten (``OUTLIER_RATE``) is moved 4 to 8 above the
curve. The worker builds ``build_curve_model()``, trains it with ``fit(epochs=30,
batch_size=64)`` on those points and returns the trained weights. The model holds a custom
layer, so it cannot be rebuilt here, and the worker predicts nothing: the exercise fixes the
model to one ``QuadraticLayer(1)`` on one input, whose weights ``a``, ``b`` and ``c`` (found
by name) are the fitted curve's p, q and r, so this process computes the curve on 201
evenly spaced ``x`` in [-3, 3] from them with numpy (part 3 checks that the layer computes
``x**2 @ a + x @ b + c``) and measures its mean absolute difference from the true one.
Self-reported: the layers the model is made of, and that the weights are the trained ones.

Measured on the reference solution, 2 CPU cores shared with other jobs (load average 6-7),
seeds 0-4, with the request, data and seed of a grading run (the worker reseeds every random
generator before each request):

    seed                         0       1       2       3       4
    mean absolute difference     0.1255  0.1027  0.1041  0.1059  0.1184
    learned curve, r             2.093   2.093   2.093   2.093   2.095

max 0.1255 against the threshold 0.25: a margin of 0.12. The Huber loss leaves a small bias
(p and q come out within 0.011 of 0.5 and -1, r about 0.09 high: the outliers still pull a
little). The same model compiled with the squared error (``loss="mse"``) instead gives
0.5616, 0.5526, 0.5366, 0.5557 and 0.5482 (the outliers lift the curve: r about 2.46),
failing by 0.29 or more; a linear model (``Dense(1)`` instead of ``QuadraticLayer(1)``) with
``HuberLoss`` gives 1.158-1.161. The training takes 3-6 s.

Equivalent mutants:
    build_curve_model:remove-layer:Input - a Sequential of one QuadraticLayer without
        keras.Input takes its input shape from the first batch: the same model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import fail, format_shape, measure, note

pytestmark = pytest.mark.visibility("visible")

BUILDER = "build_curve_model"
DATA_SEED = 1010
POINTS = 1_000
COEFFICIENTS = (0.5, -1.0, 2.0)  # p, q, r of y = p x² + q x + r
NOISE = 0.3
OUTLIER_RATE = 0.1
OUTLIER_LIFT = (4.0, 8.0)
EPOCHS = 30
BATCH_SIZE = 64
THRESHOLD = 0.25
#: The weights of one QuadraticLayer(1) on one input, by name: the curve's p, q and r.
WEIGHT_SHAPES = {"a": (1, 1), "b": (1, 1), "c": (1,)}
STRUCTURE_HINT = (
    "keras.Input(shape=(1,)) then one QuadraticLayer(1), and no other layer: its weights "
    "a, b and c are the parabola's p, q and r."
)


def parabola(x: np.ndarray, coefficients: Sequence[float] = COEFFICIENTS) -> np.ndarray:
    p, q, r = coefficients
    values: np.ndarray = p * x**2 + q * x + r
    return values


def generated_points() -> tuple[np.ndarray, np.ndarray]:
    """(x, y), float32 ``(1000, 1)``: noisy points of the parabola, one in ten lifted."""
    rng = np.random.default_rng(DATA_SEED)
    x = rng.uniform(-3.0, 3.0, size=(POINTS, 1))
    y = parabola(x) + rng.normal(0.0, NOISE, size=x.shape)
    lifted = rng.random(POINTS) < OUTLIER_RATE
    y[lifted] += rng.uniform(*OUTLIER_LIFT, size=(int(lifted.sum()), 1))
    return x.astype("float32"), y.astype("float32")


def fitted_coefficients(report: ModelReport) -> tuple[float, ...]:
    """p, q and r of the trained model, its weights ``a``, ``b`` and ``c`` (float64); fails
    unless the model is one ``QuadraticLayer(1)`` on one input."""
    layers = [layer.class_name for layer in report.layers if layer.class_name != "InputLayer"]
    names = [name.rsplit("/", 1)[-1] for name in report.weight_names]
    weights = dict(zip(names, report.weights, strict=True))
    shapes = {name: tuple(w.shape) for name, w in weights.items()}
    if layers != ["QuadraticLayer"] or len(report.weights) != 3 or shapes != WEIGHT_SHAPES:
        listed = ", ".join(f"{n} {format_shape(s)}" for n, s in shapes.items()) or "none"
        raise fail(
            f"the trained {BUILDER}(), whose curve the grader computes from its weights",
            expected="one QuadraticLayer(1) with weights a (1, 1), b (1, 1) and c (1,)",
            received=f"the layers {', '.join(layers) or 'none'} with the weights {listed}",
            hint=STRUCTURE_HINT,
        )
    return tuple(float(weights[name].reshape(())) for name in WEIGHT_SHAPES)


def _curve(coefficients: Sequence[float]) -> str:
    p, q, r = coefficients
    return f"{p:.3f} x² {'-' if q < 0 else '+'} {abs(q):.3f} x {'-' if r < 0 else '+'} {abs(r):.3f}"


@pytest.mark.visibility("hidden")
@pytest.mark.points(3)
@pytest.mark.time_limit(120)
def test_curve_model_fits_the_parabola_despite_outliers(submission: Submission) -> None:
    """build_curve_model, trained 30 epochs on points with outliers, finds the parabola

    Self-reported: the model's layers and trained weights; the curve is computed here."""
    x, y = generated_points()
    grid = np.linspace(-3.0, 3.0, 201)
    trained = submission.fit(BUILDER, x, y, epochs=EPOCHS, batch_size=BATCH_SIZE)
    coefficients = fitted_coefficients(trained.model)
    error = np.abs(parabola(grid, coefficients) - parabola(grid))
    difference = measure("mean absolute difference", float(np.mean(error)))
    curve = _curve(coefficients)
    if not difference <= THRESHOLD:
        losses = trained.history.get("loss") or ()
        raise fail(
            f"the mean absolute difference between the curve that {BUILDER}() learned in "
            f"{EPOCHS} epochs and the true parabola, {_curve(COEFFICIENTS)}",
            expected=f"at most {THRESHOLD}",
            received=f"{difference:.4f}; the learned curve is {curve}, the training "
            "loss per epoch " + (", ".join(f"{v:.3f}" for v in losses[-3:]) or "not logged"),
            hint="one QuadraticLayer(1) after keras.Input(shape=(1,)), compiled with "
            "keras.optimizers.Adam(learning_rate=0.02) and loss=HuberLoss(threshold=1.0): the "
            "squared error lets the outliers lift the curve.",
        )
    note(f"learned curve: {curve}; mean absolute difference {difference:.4f} (at most {THRESHOLD})")
