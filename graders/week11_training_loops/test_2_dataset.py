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
from course.testing import fail, format_shape, fresh_rng

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

    @property
    def ordered_call(self) -> str:
        return f"make_dataset(x, y, batch_size={self.batch_size})"

    @property
    def shuffled_call(self) -> str:
        return f"make_dataset(x, y, batch_size={self.batch_size}, shuffle=True)"


@pytest.fixture(scope="module")
def examples(submission: Submission) -> Examples:
    rng = fresh_rng(submission, "dataset")
    batch_size = int(rng.integers(BATCH_SIZE[0], BATCH_SIZE[1] + 1))
    counts = [n for n in range(EXAMPLES[0], EXAMPLES[1] + 1) if n % batch_size]
    count = int(rng.choice(counts))
    width = int(rng.integers(WIDTH[0], WIDTH[1] + 1))
    features = rng.normal(size=(count, width)) * 10
    return Examples(features, np.arange(count, dtype=np.int64), batch_size)


@pytest.fixture(scope="module")
def ordered(submission: Submission, examples: Examples) -> DatasetReport:
    return submission.dataset(
        "make_dataset", examples.features, examples.positions, batch_size=examples.batch_size
    )


@pytest.fixture(scope="module")
def shuffled(submission: Submission, examples: Examples) -> DatasetReport:
    return submission.dataset(
        "make_dataset",
        examples.features,
        examples.positions,
        batch_size=examples.batch_size,
        shuffle=True,
    )


def _steps(
    submission: Submission, examples: Examples, **kwargs: object
) -> tuple[list[str], list[str]]:
    """(the pipeline's steps from source to output, every dataset op in its graph)."""
    value = expect(
        submission.probe(
            "loops.dataset_steps",
            action="make_dataset()",
            function="make_dataset",
            args=[examples.features, examples.positions],
            kwargs={"batch_size": examples.batch_size, **kwargs},
        ),
        dict,
        what="the pipeline's steps",
    )
    path = [expect(s, str, what="a step") for s in expect(value.get("path"), list, what="path")]
    steps = [expect(s, str, what="a step") for s in expect(value.get("steps"), list, what="ops")]
    return path, steps


def _describe(spec: object) -> str:
    if isinstance(spec, list):
        return "(" + ", ".join(_describe(item) for item in spec) + ")"
    if isinstance(spec, dict) and isinstance(spec.get("shape"), list):
        return f"{spec.get('dtype')} of shape {format_shape(spec['shape'])}"
    return repr(spec)


def _positions(report: DatasetReport, call: str) -> np.ndarray:
    """The labels the dataset yielded, in order, as positions into the grader's features."""
    targets = report.targets
    if targets is None:
        raise fail(
            f"the elements of {call}",
            expected="pairs (features, labels)",
            received=_describe(report.element_spec),
            hint="start with tf.data.Dataset.from_tensor_slices((features, labels)).",
        )
    positions: np.ndarray = np.rint(targets.reshape(-1).astype("float64")).astype("int64")
    return positions


def _first(values: np.ndarray, count: int = 8) -> str:
    head = ", ".join(str(int(v)) for v in values[:count])
    return f"[{head}, ...]" if len(values) > count else f"[{head}]"


def _check_features_match_labels(report: DatasetReport, examples: Examples, call: str) -> None:
    if len(report.first_batch) != 2:
        raise fail(
            f"the first batch of {call}",
            expected="a pair (features, labels)",
            received=f"{len(report.first_batch)} parts",
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


@pytest.mark.points(1)
def test_dataset_element_spec(ordered: DatasetReport, examples: Examples) -> None:
    """make_dataset yields float32 features (batch, features) and float32 labels (batch, 1)

    Self-reported: the element spec is the worker's description of its dataset."""
    spec = ordered.element_spec
    width = examples.features.shape[1]
    call = examples.ordered_call
    expected = f"(float32 of shape (None, {width}), float32 of shape (None, 1))"
    if not (
        isinstance(spec, list)
        and len(spec) == 2
        and all(isinstance(s, dict) and isinstance(s.get("shape"), list) for s in spec)
    ):
        raise fail(
            f"each element of {call}",
            expected=f"a pair {expected}",
            received=_describe(spec),
            hint="start with tf.data.Dataset.from_tensor_slices((features, labels)).",
        )
    features, labels = spec
    if features["shape"] != [None, width] or features["dtype"] != "float32":
        raise fail(
            f"the features in each element of {call}",
            expected=f"float32 of shape (None, {width}): batches of float32 examples",
            received=_describe(features),
            hint="cast the features with tf.cast(features, tf.float32) in the map, and batch "
            "with .batch(batch_size).",
        )
    if labels["shape"] != [None, 1] or labels["dtype"] != "float32":
        hint = "in the map, turn each label into tf.reshape(tf.cast(label, tf.float32), (1,))."
        if labels["shape"] == [None]:
            hint += (
                " Labels of shape (batch,) do not match the model's output (batch, 1). Keras "
                "losses squeeze the extra axis, but a hand-written loss like "
                "tf.reduce_mean(y * tf.math.log(p)) broadcasts (batch,) against (batch, 1) "
                "into a (batch, batch) matrix and computes the wrong value without an error."
            )
        raise fail(
            f"the labels in each element of {call}",
            expected="float32 of shape (None, 1), like the model's output",
            received=_describe(labels),
            hint=hint,
        )


@pytest.mark.points(1)
def test_dataset_batches_in_order(ordered: DatasetReport, examples: Examples) -> None:
    """without shuffle, every example comes once, in order, in batches of batch_size"""
    count, size, call = len(examples.positions), examples.batch_size, examples.ordered_call
    expected_sizes = [size] * (count // size) + [count % size]
    if ordered.cardinality == -1 or list(ordered.batch_sizes) != expected_sizes:
        raise fail(
            f"the batch sizes of {call} for {count} examples",
            expected=f"{count // size} batches of {size}, then one of {count % size}",
            received=", ".join(map(str, ordered.batch_sizes[:12]))
            + (", ..." if len(ordered.batch_sizes) > 12 else ""),
            hint=".batch(batch_size) once, without drop_remainder and without .repeat().",
        )
    positions = _positions(ordered, call)
    if not np.array_equal(positions, examples.positions):
        raise fail(
            f"the order of the examples from {call} (their labels are positions)",
            expected=_first(examples.positions),
            received=_first(positions),
            hint="shuffle only when shuffle is true.",
        )
    _check_features_match_labels(ordered, examples, call)


@pytest.mark.points(1)
def test_dataset_shuffles_when_asked(shuffled: DatasetReport, examples: Examples) -> None:
    """with shuffle=True, every example comes once, with its own label, in a new order"""
    count, call = len(examples.positions), examples.shuffled_call
    positions = _positions(shuffled, call)
    if len(positions) != count or not np.array_equal(np.sort(positions), examples.positions):
        counts = np.bincount(positions[(positions >= 0) & (positions < count)], minlength=count)
        raise fail(
            f"the examples from {call}",
            expected=f"each of the {count} examples exactly once",
            received=f"{len(positions)} examples: {int(np.sum(counts == 0))} missing and "
            f"{int(np.sum(counts > 1))} repeated",
            hint="shuffle with a buffer as large as the data, .shuffle(len(features)), once, "
            "without .repeat().",
        )
    if np.array_equal(positions, examples.positions):
        raise fail(
            f"the order of the examples from {call}",
            expected="shuffled",
            received=f"the order of features: {_first(positions)}",
            hint="call .shuffle(len(features)) when shuffle is true.",
        )
    _check_features_match_labels(shuffled, examples, call)


@pytest.mark.points(1)
def test_dataset_maps_caches_and_prefetches(submission: Submission, examples: Examples) -> None:
    """the pipeline maps, caches (before any shuffle) and prefetches

    Self-reported: the steps are read from the dataset's graph in the worker."""
    for call, kwargs in (
        (examples.ordered_call, {}),
        (examples.shuffled_call, {"shuffle": True}),
    ):
        path, steps = _steps(submission, examples, **kwargs)
        shown = " -> ".join(path) or "no steps"
        missing = [
            name
            for name, present in (
                ("map", any(step in MAPS for step in steps)),
                ("cache", "Cache" in steps),
                ("prefetch", "Prefetch" in steps),
            )
            if not present
        ]
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
