"""Week 2 grader, part 2: the ``tf.data`` pipeline (exercise 2.2).

``make_dataset`` receives N generated float32 images whose labels are their positions
(0, 1, ..., N - 1), so the labels that come out reveal the order of the examples, and the
images in the first batch can be matched with their labels. Drawn afresh at each grading
(``course.testing.fresh_rng``): N, from 2,100 to 3,000 and a multiple of neither batch size
(so the last batch holds a rest), the images' values in [0, 1), and the ``batch_size`` of
the unshuffled call, from 40 to 100; the shuffled call keeps the defaults (32, shuffled),
which are part of the contract. The worker iterates each dataset once. The shuffle checks
are exact for a given seed; with a buffer as large as the dataset the first batch of 32 lies
entirely in the first half with probability 2**-32 per seed, while a buffer of 1,000 keeps it
within the first 1,032 examples, below half of every N drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from course.grading.reports import DatasetReport
from course.grading.submission import Submission
from course.testing import (
    check_batch_sizes,
    check_each_once,
    check_in_order,
    check_prefetches,
    check_shuffled,
    describe_spec,
    fail,
    fresh_rng,
    pair_spec,
    positions_of,
)

pytestmark = pytest.mark.visibility("visible")

DEFAULT_BATCH_SIZE = 32
SHUFFLED_CALL = "make_dataset(x, y)"
PAIR = "a pair (images, labels)"
PAIR_HINT = "make the dataset with tf.data.Dataset.from_tensor_slices((x, y)), keeping y as it is."


@dataclass(frozen=True)
class Examples:
    """What ``make_dataset`` receives in this grading: ``images`` (x), their ``positions``
    (y, 0 to count - 1) and the ``batch_size`` of the unshuffled call."""

    images: np.ndarray
    positions: np.ndarray
    batch_size: int

    @property
    def count(self) -> int:
        return len(self.positions)

    @property
    def ordered_call(self) -> str:
        return f"make_dataset(x, y, batch_size={self.batch_size}, shuffle=False)"


@pytest.fixture(scope="module")
def examples(submission: Submission) -> Examples:
    rng = fresh_rng(submission, "make_dataset")
    batch_size = int(rng.integers(40, 101))
    count = int(rng.integers(2_100, 3_001))
    while count % DEFAULT_BATCH_SIZE == 0 or count % batch_size == 0:
        count += 1
    images = rng.random((count, 28, 28), dtype=np.float32)
    return Examples(images, np.arange(count, dtype=np.int64), batch_size)


@pytest.fixture(scope="module")
def shuffled(submission: Submission, examples: Examples) -> DatasetReport:
    """The dataset with the default arguments: batches of 32, shuffled."""
    return submission.dataset("make_dataset", examples.images, examples.positions)


@pytest.fixture(scope="module")
def ordered(submission: Submission, examples: Examples) -> DatasetReport:
    return submission.dataset(
        "make_dataset",
        examples.images,
        examples.positions,
        batch_size=examples.batch_size,
        shuffle=False,
    )


def _labels(report: DatasetReport, call: str) -> np.ndarray:
    """Every label the dataset yielded, in order (the positions of the examples)."""
    return positions_of(report, call, pair=PAIR, hint=PAIR_HINT)


@pytest.mark.points(1)
def test_dataset_element_spec(shuffled: DatasetReport) -> None:
    """make_dataset yields (images, labels) batches of the right shapes and dtypes"""
    images, labels = pair_spec(shuffled, SHUFFLED_CALL, pair=PAIR, hint=PAIR_HINT)
    if len(images["shape"]) != 3 or images["shape"][1:] != [28, 28]:
        raise fail(
            f"the images in each element of {SHUFFLED_CALL}",
            expected="batches of shape (batch size, 28, 28)",
            received=describe_spec(images),
            hint="group the examples with .batch(batch_size) and keep each image 28x28.",
        )
    if images["dtype"] != "float32":
        raise fail(
            f"the dtype of the images from {SHUFFLED_CALL}",
            expected="float32, the dtype of x",
            received=images["dtype"],
            hint="pass x to from_tensor_slices as it is.",
        )
    if len(labels["shape"]) != 1 or not str(labels["dtype"]).startswith(("int", "uint")):
        raise fail(
            f"the labels in each element of {SHUFFLED_CALL}",
            expected="batches of integer labels of shape (batch size,)",
            received=describe_spec(labels),
            hint="pass y to from_tensor_slices as it is, then .batch(batch_size).",
        )


@pytest.mark.points(1)
def test_dataset_batch_sizes(
    shuffled: DatasetReport, ordered: DatasetReport, examples: Examples
) -> None:
    """make_dataset makes batches of batch_size, all full except the last"""
    for report, size, call in (
        (shuffled, DEFAULT_BATCH_SIZE, SHUFFLED_CALL),
        (ordered, examples.batch_size, examples.ordered_call),
    ):
        images, _ = pair_spec(report, call, pair=PAIR, hint=PAIR_HINT)
        if len(images["shape"]) < 3:
            raise fail(
                f"the elements of {call}",
                expected=f"batches of {size} examples",
                received="single examples, not batches",
                hint="group the examples with .batch(batch_size).",
            )
        check_batch_sizes(report, call, count=examples.count, size=size, of="examples")


@pytest.mark.points(2)
def test_dataset_every_example_once(shuffled: DatasetReport, examples: Examples) -> None:
    """every example appears exactly once, with its own label"""
    check_each_once(
        _labels(shuffled, SHUFFLED_CALL),
        SHUFFLED_CALL,
        count=examples.count,
        of="examples",
        hint="iterate the data once: no .repeat(), no drop_remainder=True, no .take().",
    )
    images, first = shuffled.first_batch[0], np.atleast_1d(shuffled.first_batch[-1])
    if not (
        images.dtype.kind == "f"
        and images.size == first.size * 28 * 28
        and np.allclose(images.reshape(-1, 28, 28), examples.images[first])
    ):
        raise fail(
            f"the images in the first batch of {SHUFFLED_CALL}",
            expected="the images of x that belong to the batch's labels",
            received="images that do not match their labels",
            hint="shuffle the pairs (image, label) together: make the dataset from (x, y) "
            "first, then shuffle it; never shuffle x and y separately.",
        )


@pytest.mark.points(1)
def test_dataset_shuffles(shuffled: DatasetReport, examples: Examples) -> None:
    """shuffle=True changes the order, drawing from the whole dataset"""
    check_shuffled(
        _labels(shuffled, SHUFFLED_CALL),
        SHUFFLED_CALL,
        count=examples.count,
        first_batch=shuffled.batch_sizes[0] if shuffled.batch_sizes else 0,
        order="the order of x",
        hint="call .shuffle(buffer_size=len(x)) when shuffle is true.",
        buffer_hint="shuffle the examples, not the batches, with a buffer as large as the "
        "dataset: .shuffle(buffer_size=len(x)) before .batch(batch_size); a small buffer only "
        "mixes neighbours.",
    )


@pytest.mark.points(1)
def test_dataset_keeps_order(ordered: DatasetReport, examples: Examples) -> None:
    """shuffle=False keeps the order of x"""
    call = examples.ordered_call
    check_in_order(
        _labels(ordered, call),
        call,
        count=examples.count,
        order="the order of x",
        hint="call .shuffle(...) only when shuffle is true.",
    )


@pytest.mark.points(1)
def test_dataset_prefetches(
    shuffled: DatasetReport, ordered: DatasetReport, examples: Examples
) -> None:
    """make_dataset prefetches batches"""
    check_prefetches([(shuffled, SHUFFLED_CALL), (ordered, examples.ordered_call)])
