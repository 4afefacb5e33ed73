"""Week 2 grader, part 1: scaling the pixels (exercise 2.1).

Exact answers: no thresholds. The images are generated here. One spans the full 0-255 range;
the others stay within 10-200, so that min-max scaling or dividing by each image's own
maximum (both also give values in [0, 1]) fails the values check, which names the mistake.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, fail


def _images() -> list[np.ndarray]:
    rng = np.random.default_rng(2)
    full_range = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    full_range[0, 0, 0], full_range[0, 0, 1] = 0, 255
    dim = rng.integers(10, 201, size=(5, 28, 28), dtype=np.uint8)
    return [full_range, dim]


IMAGES = _images()


def _normalized(submission: Submission, images: np.ndarray) -> np.ndarray:
    what = f"normalize_images(images) for {len(images)} images"
    received = check_array(
        submission.call("normalize_images", images),
        what,
        shape=images.shape,
        hint="return one value per pixel, in the shape of the input.",
    )
    if received.dtype.kind not in "biuf":
        raise fail(what, expected="numbers", received=f"an array of {received.dtype}")
    return received


@pytest.mark.points(1)
def test_normalize_range(submission: Submission) -> None:
    """normalize_images maps every pixel into [0, 1]"""
    for images in IMAGES:
        received = _normalized(submission, images)
        low, high = float(np.min(received)), float(np.max(received))
        if not (low >= 0.0 and high <= 1.0):
            raise fail(
                "every value returned by normalize_images",
                expected="between 0 and 1",
                received=f"values from {low:g} to {high:g}",
                hint="divide the pixels by 255.0, the largest value a uint8 pixel can hold.",
            )


@pytest.mark.points(1)
def test_normalize_dtype(submission: Submission) -> None:
    """normalize_images returns float32"""
    check_array(
        submission.call("normalize_images", IMAGES[0]),
        "normalize_images(images)",
        dtype="float32",
        hint="numpy division gives float64: finish with .astype(np.float32), or use "
        "tf.cast(images, tf.float32) / 255.0.",
    )


@pytest.mark.points(2)
def test_normalize_values(submission: Submission) -> None:
    """normalize_images divides every pixel by 255"""
    for images in IMAGES:
        received = _normalized(submission, images)
        expected = images / 255.0
        wrong = ~np.isclose(received, expected, rtol=0.0, atol=1e-6)
        if wrong.any():
            image, row, column = (int(i) for i in np.argwhere(wrong)[0])
            raise fail(
                f"the value for pixel {images[image, row, column]} (image {image}, row {row}, "
                f"column {column}, in images with pixels from {images.min()} to {images.max()})",
                expected=f"{expected[image, row, column]:.6f}",
                received=f"{received[image, row, column]:.6f}, and {int(wrong.sum()):,} of the "
                f"{wrong.size:,} values differ",
                hint="divide by 255, not by max - min nor by each image's own maximum: a dark "
                "photo must stay dark.",
            )
