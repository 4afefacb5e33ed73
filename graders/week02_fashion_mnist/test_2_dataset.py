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
from typing import Any

import numpy as np
import pytest

from course.grading.reports import DatasetReport
from course.grading.submission import Submission
from course.testing import check_prefetches, fail, fresh_rng

pytestmark = pytest.mark.visibility("visible")

DEFAULT_BATCH_SIZE = 32
SHUFFLED_CALL = "make_dataset(x, y)"
INFINITE = -1  # tf.data.INFINITE_CARDINALITY: the dataset repeats forever


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


def _describe_spec(spec: Any) -> str:
    if isinstance(spec, list):
        return "(" + ", ".join(_describe_spec(item) for item in spec) + ")"
    if isinstance(spec, dict) and "shape" in spec:
        shape = ", ".join("None" if d is None else str(d) for d in spec["shape"])
        return f"{spec.get('dtype')} tensors of shape ({shape})"
    if isinstance(spec, dict) and "type" in spec:
        return str(spec["type"])
    if isinstance(spec, dict):
        return "a dict with keys " + ", ".join(sorted(spec))
    return repr(spec)


def _pair_spec(report: DatasetReport, call: str) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = report.element_spec
    if not (
        isinstance(spec, list)
        and len(spec) == 2
        and all(isinstance(part, dict) and isinstance(part.get("shape"), list) for part in spec)
    ):
        raise fail(
            f"each element of {call}",
            expected="a pair (images, labels)",
            received=_describe_spec(spec),
            hint="build the dataset with tf.data.Dataset.from_tensor_slices((x, y)).",
        )
    return spec[0], spec[1]


def _check_finite(report: DatasetReport, call: str) -> None:
    if report.cardinality == INFINITE:
        raise fail(
            call,
            expected="a dataset that ends after one pass over x",
            received="an infinite dataset",
            hint="remove .repeat(): model.fit(dataset, epochs=...) starts each epoch anew.",
        )


def _labels(report: DatasetReport, call: str) -> np.ndarray:
    """Every label the dataset yielded, in order (the positions of the examples)."""
    _pair_spec(report, call)
    targets = report.targets
    if targets is None or targets.dtype.kind not in "iu" or targets.ndim != 1:
        raise fail(
            f"the labels from {call}",
            expected="the integers passed as y, one per example",
            received="no labels"
            if targets is None
            else f"{targets.dtype} of shape {targets.shape}",
            hint="keep y as it is: tf.data.Dataset.from_tensor_slices((x, y)).",
        )
    return targets


def _runs(sizes: list[int]) -> str:
    """``[32, 32, 32, 4]`` as "3 batches of 32, then 1 batch of 4"."""
    if not sizes:
        return "no batches"
    runs: list[list[int]] = []
    for size in sizes:
        if runs and runs[-1][0] == size:
            runs[-1][1] += 1
        else:
            runs.append([size, 1])
    parts = [f"{count:,} batch{'es' if count > 1 else ''} of {size}" for size, count in runs[:4]]
    text = ", then ".join(parts)
    return text + (", ..." if len(runs) > 4 else "")


def _first_labels(labels: np.ndarray, count: int = 8) -> str:
    head = ", ".join(str(int(label)) for label in labels[:count])
    return f"[{head}, ...]" if len(labels) > count else f"[{head}]"


@pytest.mark.points(1)
def test_dataset_element_spec(shuffled: DatasetReport) -> None:
    """make_dataset yields (images, labels) batches of the right shapes and dtypes"""
    images, labels = _pair_spec(shuffled, SHUFFLED_CALL)
    if len(images["shape"]) != 3 or images["shape"][1:] != [28, 28]:
        raise fail(
            f"the images in each element of {SHUFFLED_CALL}",
            expected="batches of shape (batch size, 28, 28)",
            received=_describe_spec(images),
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
            received=_describe_spec(labels),
            hint="pass y to from_tensor_slices as it is, then .batch(batch_size).",
        )


@pytest.mark.points(1)
def test_dataset_batch_sizes(
    shuffled: DatasetReport, ordered: DatasetReport, examples: Examples
) -> None:
    """make_dataset makes batches of batch_size, all full except the last"""
    count = examples.count
    for report, size, call in (
        (shuffled, DEFAULT_BATCH_SIZE, SHUFFLED_CALL),
        (ordered, examples.batch_size, examples.ordered_call),
    ):
        _check_finite(report, call)
        images, _ = _pair_spec(report, call)
        if len(images["shape"]) < 3:
            raise fail(
                f"the elements of {call}",
                expected=f"batches of {size} examples",
                received="single examples, not batches",
                hint="group the examples with .batch(batch_size).",
            )
        expected = [size] * (count // size) + [count % size] * bool(count % size)
        if list(report.batch_sizes) != expected:
            raise fail(
                f"the batches of {call} for {count:,} examples",
                expected=_runs(expected),
                received=_runs(list(report.batch_sizes)),
                hint="batch once with .batch(batch_size) (the default is 32), after "
                "shuffling, without drop_remainder and without .repeat().",
            )


@pytest.mark.points(2)
def test_dataset_every_example_once(shuffled: DatasetReport, examples: Examples) -> None:
    """every example appears exactly once, with its own label"""
    _check_finite(shuffled, SHUFFLED_CALL)
    labels = _labels(shuffled, SHUFFLED_CALL)
    count = examples.count
    counts = np.bincount(labels[(labels >= 0) & (labels < count)], minlength=count)
    if len(labels) != count or not np.all(counts == 1):
        raise fail(
            f"the examples from {SHUFFLED_CALL}",
            expected=f"each of the {count:,} examples exactly once",
            received=f"{len(labels):,} examples: {int(np.sum(counts == 0)):,} missing and "
            f"{int(np.sum(counts > 1)):,} repeated",
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
    labels = _labels(shuffled, SHUFFLED_CALL)
    if len(labels) == examples.count and np.array_equal(labels, examples.positions):
        raise fail(
            f"the order of the examples from {SHUFFLED_CALL}",
            expected="shuffled (shuffle is True by default)",
            received=f"the order of x: {_first_labels(labels)}",
            hint="call .shuffle(buffer_size=len(x)) when shuffle is true.",
        )
    first_batch = labels[: shuffled.batch_sizes[0] if shuffled.batch_sizes else 0]
    if len(first_batch) and int(first_batch.max()) < examples.count // 2:
        raise fail(
            f"the first batch of {SHUFFLED_CALL}",
            expected=f"drawn from all {examples.count:,} examples, some from the second half",
            received=f"only examples up to {int(first_batch.max())}",
            hint="shuffle the examples, not the batches, with a buffer as large as the dataset: "
            ".shuffle(buffer_size=len(x)) before .batch(batch_size); a small buffer only mixes "
            "neighbours.",
        )


@pytest.mark.points(1)
def test_dataset_keeps_order(ordered: DatasetReport, examples: Examples) -> None:
    """shuffle=False keeps the order of x"""
    call, positions = examples.ordered_call, examples.positions
    labels = _labels(ordered, call)
    # Only the order is judged here: missing or repeated examples fail their own check.
    count = min(len(labels), examples.count)
    differ = np.flatnonzero(labels[:count] != positions[:count])
    if count == 0 or len(differ):
        position = int(differ[0]) if len(differ) else 0
        raise fail(
            f"the examples from {call}, from position {position} on",
            expected=f"in the order of x: {_first_labels(positions[position:])}",
            received=_first_labels(labels[position:]),
            hint="call .shuffle(...) only when shuffle is true.",
        )


@pytest.mark.points(1)
def test_dataset_prefetches(
    shuffled: DatasetReport, ordered: DatasetReport, examples: Examples
) -> None:
    """make_dataset prefetches batches"""
    check_prefetches([(shuffled, SHUFFLED_CALL), (ordered, examples.ordered_call)])
