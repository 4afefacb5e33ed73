"""Predictions of a week-2 model rebuilt in the grading process, on images the grader chose."""

from __future__ import annotations

import numpy as np

from course.grading.reports import ModelReport
from course.testing import predictions_of


def predict_images(report: ModelReport, images: np.ndarray, *, what: str) -> np.ndarray:
    """Class scores for ``images`` (N x 28 x 28) from ``report``'s model rebuilt here, the
    images reshaped to the model's input layout when only that differs (784 values)."""
    shape = report.input_shape
    dims = () if shape is None else tuple(d for d in shape[1:] if d is not None)
    if shape is not None and len(dims) == len(shape) - 1 and np.prod(dims) == 28 * 28:
        images = images.reshape((len(images), *dims))
    return predictions_of(
        report,
        images,
        what=what,
        expected="able to predict a batch of 28x28 images",
        hint="start the model with keras.Input(shape=(28, 28)).",
        batch_size=1_000,
    )
