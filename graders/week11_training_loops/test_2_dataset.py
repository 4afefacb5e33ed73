"""Week 11 grader, part 2: the ``tf.data`` pipeline (exercise 11.2).

``make_dataset`` receives generated examples (not a real data set), drawn afresh at each
grading (``fresh_rng(submission, "dataset")``; ranges inclusive): 90 to 200 examples of 3
to 7 float64 features (normal, standard deviation 10), whose integer labels are their
positions (0, 1, 2, ...): the labels that come out reveal the order of the examples, and
the features of the first batch can be matched with their labels. The batch size, 8 to 24,
never divides the number of examples, so the last batch is a short one. It is called as
``make_dataset(x, y, batch_size=b)`` (in order) and ``make_dataset(x, y, batch_size=b,
shuffle=True)``; the worker iterates each once (``dataset.describe``).

The steps of each pipeline are read from the graph the dataset serialises to (the probe
``loops.dataset_steps``; see ``course/probes/loops.py``): in TensorFlow 2.21 its op types
(``ParallelMapDatasetV2``, ``CacheDatasetV2``, ``ShuffleDatasetV3``...) name every
transformation, whichever way it was written (``map`` with or without
``num_parallel_calls``, ``with_options``, ``apply``). The check wants a map, a cache, a
prefetch and, when shuffling, the cache upstream of the shuffle (a cache after the shuffle
stores the first epoch's order and replays it every epoch).

Self-reported, 1 point each: the element spec and the steps of the pipeline are the
worker's description of its dataset. The batches, their order and their contents are
checked against the grader's own examples.

Exact answers, no thresholds. With a shuffle buffer of at least 90, the shuffled order
equals the original one with probability at most 1/90!.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from course.grading.reports import DatasetReport, expect
from course.grading.submission import Submission
from course.testing import (
    check_batch_sizes,
    check_each_once,
    check_in_order,
    check_shuffled,
    describe_spec,
    draw_between,
    fail,
    fresh_rng,
    pair_spec,
)

pytestmark = pytest.mark.visibility("visible")

EXAMPLES = (90, 200)  # inclusive, as are the other ranges
WIDTH = (3, 7)
BATCH_SIZE = (8, 24)
MAPS = ("Map", "ParallelMap", "MapAndBatch", "ParallelMapAndBatch")


@dataclass(frozen=True)
class Examples:
    """The grader's examples: features, their positions as labels, and the batch size."""

    features: np.ndarray
    positions: np.ndarray
    batch_size: int

    def call(self, **kwargs: object) -> str:
        """How make_dataset is called, for a message."""
        arguments = "".join(f", {key}={value}" for key, value in kwargs.items())
        return f"make_dataset(x, y, batch_size={self.batch_size}{arguments})"


@pytest.fixture(scope="module")
def examples(submission: Submission) -> Examples:
    rng = fresh_rng(submission, "dataset")
    batch_size = draw_between(rng, BATCH_SIZE)
    count = int(rng.choice([n for n in range(EXAMPLES[0], EXAMPLES[1] + 1) if n % batch_size]))
    features = rng.normal(size=(count, draw_between(rng, WIDTH))) * 10
    return Examples(features, np.arange(count, dtype=np.int64), batch_size)


def _dataset(submission: Submission, examples: Examples, **kwargs: object) -> DatasetReport:
    return submission.dataset(
        "make_dataset",
        examples.features,
        examples.positions,
        batch_size=examples.batch_size,
        **kwargs,
    )


@pytest.fixture(scope="module")
def ordered(submission: Submission, examples: Examples) -> DatasetReport:
    return _dataset(submission, examples)


@pytest.fixture(scope="module")
def shuffled(submission: Submission, examples: Examples) -> DatasetReport:
    return _dataset(submission, examples, shuffle=True)


def _steps(
    submission: Submission, examples: Examples, **kwargs: object
) -> tuple[list[str], list[str]]:
    """(the pipeline's steps from source to output, every dataset op in its graph)."""
    reply = submission.probe(
        "loops.dataset_steps",
        action="make_dataset()",
        function="make_dataset",
        args=[examples.features, examples.positions],
        kwargs={"batch_size": examples.batch_size, **kwargs},
    )
    value = expect(reply, dict, what="the pipeline's steps")
    path = [expect(s, str, what="a step") for s in expect(value.get("path"), list, what="path")]
    steps = [expect(s, str, what="a step") for s in expect(value.get("steps"), list, what="ops")]
    return path, steps


def _positions(report: DatasetReport, examples: Examples, call: str) -> np.ndarray:
    """The labels the dataset yielded, in order, as positions into the grader's features;
    fails unless the features of the first batch are those of its labels."""
    targets = report.targets
    if targets is None or len(report.first_batch) != 2:
        raise fail(
            f"the elements of {call}",
            expected="pairs (features, labels)",
            received=describe_spec(report.element_spec),
            hint="start with tf.data.Dataset.from_tensor_slices((features, labels)).",
        )
    features, labels = report.first_batch
    rows = np.rint(labels.astype("float64").reshape(-1)).astype("int64")
    source = examples.features
    if not (
        features.dtype.kind == "f"
        and features.shape == (len(rows), source.shape[1])
        and np.all((rows >= 0) & (rows < len(source)))
        and np.allclose(features, source[rows], atol=1e-4, rtol=1e-6)
    ):
        raise fail(
            f"the features in the first batch of {call}",
            expected="the rows of features that belong to the batch's labels, as float32",
            received="features that do not match their labels",
            hint="make the dataset from the pair (features, labels) and keep each example's "
            "values: the map only casts them to float32.",
        )
    positions: np.ndarray = np.rint(targets.reshape(-1).astype("float64")).astype("int64")
    return positions


@pytest.mark.points(1)
def test_dataset_element_spec(ordered: DatasetReport, examples: Examples) -> None:
    """make_dataset yields float32 features (batch, features) and float32 labels (batch, 1)

    Self-reported: the element spec is the worker's description of its dataset."""
    width, call = examples.features.shape[1], examples.call()
    tensors = "float32 tensors of shape"
    features, labels = f"{tensors} (None, {width})", f"{tensors} (None, 1)"
    parts = pair_spec(
        ordered,
        call,
        pair=f"a pair ({features}, {labels})",
        hint="start with tf.data.Dataset.from_tensor_slices((features, labels)).",
    )
    hints = {
        "features": "batches of float32 examples: cast the features with tf.cast(features, "
        "tf.float32) in the map, and batch with .batch(batch_size).",
        "labels": "labels shaped like the model's output: in the map, turn each label into "
        "tf.reshape(tf.cast(label, tf.float32), (1,)).",
    }
    if parts[1]["shape"] == [None]:
        hints["labels"] += (
            " Labels of shape (batch,) do not match the model's output (batch, 1). Keras "
            "losses squeeze the extra axis, but a hand-written loss like "
            "tf.reduce_mean(y * tf.math.log(p)) broadcasts (batch,) against (batch, 1) "
            "into a (batch, batch) matrix and computes the wrong value without an error."
        )
    for name, wanted, spec in (("features", features, parts[0]), ("labels", labels, parts[1])):
        received = describe_spec(spec)
        if received != wanted:
            raise fail(
                f"the {name} in each element of {call}",
                expected=wanted,
                received=received,
                hint=hints[name],
            )


@pytest.mark.points(1)
def test_dataset_batches_in_order(ordered: DatasetReport, examples: Examples) -> None:
    """without shuffle, every example comes once, in order, in batches of batch_size"""
    count, size, call = len(examples.positions), examples.batch_size, examples.call()
    check_batch_sizes(ordered, call, count=count, size=size, of="examples")
    positions = _positions(ordered, examples, call)
    check_in_order(
        positions,
        call,
        count=count,
        order="the order of x (their labels are positions)",
        hint="shuffle only when shuffle is true.",
    )


@pytest.mark.points(1)
def test_dataset_shuffles_when_asked(shuffled: DatasetReport, examples: Examples) -> None:
    """with shuffle=True, every example comes once, with its own label, in a new order"""
    count, call = len(examples.positions), examples.call(shuffle=True)
    positions = _positions(shuffled, examples, call)
    check_each_once(
        positions,
        call,
        count=count,
        of="examples",
        hint="shuffle with a buffer as large as the data, .shuffle(len(features)), once, "
        "without .repeat().",
    )
    check_shuffled(
        positions,
        call,
        count=count,
        first_batch=0,  # any buffer may do here: only the order is judged
        order="the order of features",
        hint="call .shuffle(len(features)) when shuffle is true.",
        buffer_hint="",
    )


@pytest.mark.points(1)
def test_dataset_maps_caches_and_prefetches(submission: Submission, examples: Examples) -> None:
    """the pipeline maps, caches (before any shuffle) and prefetches

    Self-reported: the steps are read from the dataset's graph in the worker."""
    for kwargs in ({}, {"shuffle": True}):
        call = examples.call(**kwargs)
        path, steps = _steps(submission, examples, **kwargs)
        shown = " -> ".join(path) or "no steps"
        present = {
            "map": any(step in MAPS for step in steps),
            "cache": "Cache" in steps,
            "prefetch": "Prefetch" in steps,
        }
        missing = [name for name, found in present.items() if not found]
        if missing:
            raise fail(
                f"the steps of {call}",
                expected="a pipeline with " + ", ".join(f".{name}(...)" for name in missing),
                received=shown,
                hint="from_tensor_slices -> map (cast to float32, labels of shape (1,)) -> "
                "cache -> shuffle (only when asked) -> batch -> prefetch(tf.data.AUTOTUNE).",
            )
        if "Shuffle" in path and "Cache" in path and path.index("Cache") > path.index("Shuffle"):
            raise fail(
                f"the order of the steps of {call}",
                expected="cache before shuffle",
                received=shown,
                hint="a cache after the shuffle stores the first epoch's order and replays it in "
                "every epoch: call .cache() before .shuffle(...).",
            )
