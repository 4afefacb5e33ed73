"""Week 4 grader, part 1: images shaped for ``Conv2D`` (exercise 4.1).

Exact answers, no thresholds. ``reshape_and_normalize`` receives three batches of uint8
(N, 28, 28) images, drawn afresh at each grading (``course.testing.fresh_rng``): 2 to 8
generated images spanning 0-255 (a 0 and a 255 put at drawn places of a drawn image), 2 to 8
dim ones whose pixels stay within a drawn range (from 5-30 at the darkest to 150-230 at the
brightest, so min-max scaling or dividing by each image's own maximum fails the values
check at every seed) and a single real Fashion-MNIST training image, drawn from the 60,000
(a batch of one, which ``squeeze`` would break). Shape, dtype and values are separate
checks: the values are compared pixel by pixel whatever the shape, so a missing channel axis
costs only the shape check.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.datasets import Split
from course.grading.submission import Submission
from course.testing import check_array, fail, format_shape, fresh_rng

pytestmark = pytest.mark.visibility("visible")


@pytest.fixture(scope="module")
def batches(submission: Submission, fashion: tuple[Split, Split]) -> list[np.ndarray]:
    """Three batches drawn for this grading: full range, dim, one real image."""
    rng = fresh_rng(submission, "reshape_and_normalize")
    full_range = rng.integers(0, 256, size=(int(rng.integers(2, 9)), 28, 28), dtype=np.uint8)
    darkest, brightest = rng.choice(28 * 28, size=2, replace=False)
    full_range[int(rng.integers(len(full_range)))].reshape(-1)[[darkest, brightest]] = 0, 255
    low, high = int(rng.integers(5, 31)), int(rng.integers(150, 231))
    dim = rng.integers(low, high + 1, size=(int(rng.integers(2, 9)), 28, 28), dtype=np.uint8)
    (x_train, _), _ = fashion
    real = int(rng.integers(len(x_train)))
    return [full_range, dim, x_train[real : real + 1].copy()]


@pytest.fixture(scope="module")
def answers(submission: Submission, batches: list[np.ndarray]) -> list[np.ndarray]:
    """What ``reshape_and_normalize`` returns for each batch, checked to be numeric arrays."""
    received = []
    for images in batches:
        value = check_array(
            submission.call("reshape_and_normalize", images),
            f"reshape_and_normalize(images) for {len(images)} images",
            kind="biuf",
            hint="return a numpy array (or a tensor).",
        )
        received.append(value)
    return received


@pytest.mark.points(1)
def test_adds_a_channel_axis(batches: list[np.ndarray], answers: list[np.ndarray]) -> None:
    """reshape_and_normalize returns shape (N, 28, 28, 1)"""
    for images, received in zip(batches, answers, strict=True):
        check_array(
            received,
            f"reshape_and_normalize(images) for images of shape {format_shape(images.shape)}",
            shape=(*images.shape, 1),
            hint="Conv2D needs a channel axis, last: images.reshape(-1, 28, 28, 1) or "
            "np.expand_dims(images, -1). Do not squeeze: a batch of one image keeps its "
            "batch axis.",
        )


@pytest.mark.points(1)
def test_returns_float32(answers: list[np.ndarray]) -> None:
    """reshape_and_normalize returns float32"""
    for received in answers:
        check_array(
            received,
            "reshape_and_normalize(images)",
            dtype="float32",
            hint="numpy division gives float64: finish with .astype(np.float32).",
        )


@pytest.mark.points(2)
def test_divides_by_255(batches: list[np.ndarray], answers: list[np.ndarray]) -> None:
    """reshape_and_normalize divides every pixel by 255"""
    for images, received in zip(batches, answers, strict=True):
        if received.size != images.size:
            raise fail(
                f"the number of values returned for {len(images)} images",
                expected=f"{images.size:,}, one per pixel",
                received=f"{received.size:,}",
                hint="reshape adds an axis of length 1; it does not add or drop pixels.",
            )
        expected = images.reshape(-1) / 255.0
        values = received.reshape(-1).astype(np.float64)
        wrong = ~np.isclose(values, expected, rtol=0.0, atol=1e-6)
        if wrong.any():
            position = int(np.argmax(wrong))
            raise fail(
                f"the value for pixel {images.reshape(-1)[position]} (images with pixels from "
                f"{images.min()} to {images.max()})",
                expected=f"{expected[position]:.6f}",
                received=f"{values[position]:.6f}, and {int(wrong.sum()):,} of the "
                f"{wrong.size:,} values differ",
                hint="divide by 255, not by max - min nor by each image's own maximum: a dark "
                "photo must stay dark.",
            )
