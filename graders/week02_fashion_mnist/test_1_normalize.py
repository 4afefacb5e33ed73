"""Week 2 grader, part 1: scaling the pixels (exercise 2.1).

Exact answers: no thresholds. The images are drawn afresh at each grading
(``course.testing.fresh_rng``), as two batches of uint8 (N, 28, 28) images: 2 to 6 images
whose pixels span 0-255 (a 0 and a 255 put at drawn places of a drawn image), and 3 to 8 dim
ones whose pixels stay within a drawn range, from 5-30 at the darkest to 150-230 at the
brightest, so that min-max scaling or dividing by each image's own maximum (both also give
values in [0, 1]) fails the values check, which names the mistake, at every seed.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.submission import Submission
from course.testing import check_array, fail, fresh_rng

pytestmark = pytest.mark.visibility("visible")


@pytest.fixture(scope="module")
def images(submission: Submission) -> list[np.ndarray]:
    """A batch spanning 0-255 and a batch of dim images, drawn for this grading."""
    rng = fresh_rng(submission, "normalize_images")
    full_range = rng.integers(0, 256, size=(int(rng.integers(2, 7)), 28, 28), dtype=np.uint8)
    image = int(rng.integers(len(full_range)))
    darkest, brightest = rng.choice(28 * 28, size=2, replace=False)
    full_range[image].reshape(-1)[[darkest, brightest]] = 0, 255
    low, high = int(rng.integers(5, 31)), int(rng.integers(150, 231))
    dim = rng.integers(low, high + 1, size=(int(rng.integers(3, 9)), 28, 28), dtype=np.uint8)
    return [full_range, dim]


def _normalized(submission: Submission, images: np.ndarray) -> np.ndarray:
    what = f"normalize_images(images) for {len(images)} images"
    received = check_array(
        submission.call("normalize_images", images),
        what,
        shape=images.shape,
        kind="biuf",
        hint="return one value per pixel, in the shape of the input.",
    )
    return received


@pytest.mark.points(1)
def test_normalize_range(submission: Submission, images: list[np.ndarray]) -> None:
    """normalize_images maps every pixel into [0, 1]"""
    for batch in images:
        received = _normalized(submission, batch)
        low, high = float(np.min(received)), float(np.max(received))
        if not (low >= 0.0 and high <= 1.0):
            raise fail(
                "every value returned by normalize_images",
                expected="between 0 and 1",
                received=f"values from {low:g} to {high:g}",
                hint="divide the pixels by 255.0, the largest value a uint8 pixel can hold.",
            )


@pytest.mark.points(1)
def test_normalize_dtype(submission: Submission, images: list[np.ndarray]) -> None:
    """normalize_images returns float32"""
    check_array(
        submission.call("normalize_images", images[0]),
        "normalize_images(images)",
        dtype="float32",
        hint="numpy division gives float64: finish with .astype(np.float32), or use "
        "tf.cast(images, tf.float32) / 255.0.",
    )


@pytest.mark.points(2)
def test_normalize_values(submission: Submission, images: list[np.ndarray]) -> None:
    """normalize_images divides every pixel by 255"""
    for batch in images:
        received = _normalized(submission, batch)
        expected = batch / 255.0
        wrong = ~np.isclose(received, expected, rtol=0.0, atol=1e-6)
        if wrong.any():
            image, row, column = (int(i) for i in np.argwhere(wrong)[0])
            raise fail(
                f"the value for pixel {batch[image, row, column]} (image {image}, row {row}, "
                f"column {column}, in images with pixels from {batch.min()} to {batch.max()})",
                expected=f"{expected[image, row, column]:.6f}",
                received=f"{received[image, row, column]:.6f}, and {int(wrong.sum()):,} of the "
                f"{wrong.size:,} values differ",
                hint="divide by 255, not by max - min nor by each image's own maximum: a dark "
                "photo must stay dark.",
            )
