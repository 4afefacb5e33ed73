"""Week 11 grader, part 2: the ``tf.data`` pipeline (exercise 11.2).

``make_dataset`` receives 150 generated examples (not a real data set) of 5 float64
features, whose integer labels are their positions (0, 1, ..., 149): the labels that come
out reveal the order of the examples, and the features of the first batch can be matched
with their labels. It is called as ``make_dataset(x, y, batch_size=16)`` (in order) and
``make_dataset(x, y, batch_size=16, shuffle=True)``; the worker iterates each once
(``dataset.describe``).

The steps of each pipeline are read from the graph the dataset serialises to (the probe
``loops.dataset_steps``; see ``course/probes/loops.py``): in TensorFlow 2.21 its op types
(``ParallelMapDatasetV2``, ``CacheDatasetV2``, ``ShuffleDatasetV3``...) name every
transformation, whichever way it was written (``map`` with or without
``num_parallel_calls``, ``with_options``, ``apply``). The check wants a map, a cache, a
prefetch and, when shuffling, the cache upstream of the shuffle (a cache after the shuffle
stores the first epoch's order and replays it every epoch).

Exact answers, no thresholds. With a shuffle buffer of 150, the shuffled order equals the
original one with probability 1/150!.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.reports import DatasetReport, expect
from course.grading.submission import Submission
from course.testing import fail, format_shape

EXAMPLES = 150
FEATURES = np.random.default_rng(5).normal(size=(EXAMPLES, 5)) * 10
POSITIONS = np.arange(EXAMPLES, dtype=np.int64)
BATCH_SIZE = 16
ORDERED_CALL = "make_dataset(x, y, batch_size=16)"
SHUFFLED_CALL = "make_dataset(x, y, batch_size=16, shuffle=True)"
MAPS = ("Map", "ParallelMap", "MapAndBatch", "ParallelMapAndBatch")


@pytest.fixture(scope="module")
def ordered(submission: Submission) -> DatasetReport:
    return submission.dataset("make_dataset", FEATURES, POSITIONS, batch_size=BATCH_SIZE)


@pytest.fixture(scope="module")
def shuffled(submission: Submission) -> DatasetReport:
    return submission.dataset(
        "make_dataset", FEATURES, POSITIONS, batch_size=BATCH_SIZE, shuffle=True
    )


def _steps(submission: Submission, **kwargs: Any) -> tuple[list[str], list[str]]:
    """(the pipeline's steps from source to output, every dataset op in its graph)."""
    value = expect(
        submission.probe(
            "loops.dataset_steps",
            action="make_dataset()",
            function="make_dataset",
            args=[FEATURES, POSITIONS],
            kwargs={"batch_size": BATCH_SIZE, **kwargs},
        ),
        dict,
        what="the pipeline's steps",
    )
    path = [expect(s, str, what="a step") for s in expect(value.get("path"), list, what="path")]
    steps = [expect(s, str, what="a step") for s in expect(value.get("steps"), list, what="ops")]
    return path, steps


def _describe(spec: Any) -> str:
    if isinstance(spec, list):
        return "(" + ", ".join(_describe(item) for item in spec) + ")"
    if isinstance(spec, dict) and isinstance(spec.get("shape"), list):
        return f"{spec.get('dtype')} of shape {format_shape(spec['shape'])}"
    return repr(spec)


def _positions(report: DatasetReport, call: str) -> np.ndarray:
    """The labels the dataset yielded, in order, as positions into FEATURES."""
    targets = report.targets
    if targets is None:
        raise fail(
            f"the elements of {call}",
            expected="pairs (features, labels)",
            received=_describe(report.element_spec),
            hint="start with tf.data.Dataset.from_tensor_slices((features, labels)).",
        )
    return np.rint(targets.reshape(-1).astype("float64")).astype("int64")


def _first(values: np.ndarray, count: int = 8) -> str:
    head = ", ".join(str(int(v)) for v in values[:count])
    return f"[{head}, ...]" if len(values) > count else f"[{head}]"


def _check_features_match_labels(report: DatasetReport, call: str) -> None:
    if len(report.first_batch) != 2:
        raise fail(
            f"the first batch of {call}",
            expected="a pair (features, labels)",
            received=f"{len(report.first_batch)} parts",
            hint="start with tf.data.Dataset.from_tensor_slices((features, labels)).",
        )
    features, labels = report.first_batch
    rows = np.rint(labels.astype("float64").reshape(-1)).astype("int64")
    if not (
        features.dtype.kind == "f"
        and features.shape == (len(rows), FEATURES.shape[1])
        and np.all((rows >= 0) & (rows < EXAMPLES))
        and np.allclose(features, FEATURES[rows], atol=1e-4, rtol=1e-6)
    ):
        raise fail(
            f"the features in the first batch of {call}",
            expected="the rows of features that belong to the batch's labels, as float32",
            received="features that do not match their labels",
            hint="make the dataset from the pair (features, labels) and keep each example's "
            "values: the map only casts them to float32.",
        )


@pytest.mark.points(1)
def test_dataset_element_spec(ordered: DatasetReport) -> None:
    """make_dataset yields float32 features (batch, 5) and float32 labels (batch, 1)"""
    spec = ordered.element_spec
    expected = "(float32 of shape (None, 5), float32 of shape (None, 1))"
    if not (
        isinstance(spec, list)
        and len(spec) == 2
        and all(isinstance(s, dict) and isinstance(s.get("shape"), list) for s in spec)
    ):
        raise fail(
            f"each element of {ORDERED_CALL}",
            expected=f"a pair {expected}",
            received=_describe(spec),
            hint="start with tf.data.Dataset.from_tensor_slices((features, labels)).",
        )
    features, labels = spec
    if features["shape"] != [None, 5] or features["dtype"] != "float32":
        raise fail(
            f"the features in each element of {ORDERED_CALL}",
            expected="float32 of shape (None, 5): batches of float32 examples",
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
            f"the labels in each element of {ORDERED_CALL}",
            expected="float32 of shape (None, 1), like the model's output",
            received=_describe(labels),
            hint=hint,
        )


@pytest.mark.points(1)
def test_dataset_batches_in_order(ordered: DatasetReport) -> None:
    """without shuffle, every example comes once, in order, in batches of batch_size"""
    expected_sizes = [BATCH_SIZE] * (EXAMPLES // BATCH_SIZE) + [EXAMPLES % BATCH_SIZE]
    if ordered.cardinality == -1 or list(ordered.batch_sizes) != expected_sizes:
        raise fail(
            f"the batch sizes of {ORDERED_CALL} for {EXAMPLES} examples",
            expected=f"{EXAMPLES // BATCH_SIZE} batches of 16, then one of {EXAMPLES % 16}",
            received=", ".join(map(str, ordered.batch_sizes[:12]))
            + (", ..." if len(ordered.batch_sizes) > 12 else ""),
            hint=".batch(batch_size) once, without drop_remainder and without .repeat().",
        )
    positions = _positions(ordered, ORDERED_CALL)
    if not np.array_equal(positions, POSITIONS):
        raise fail(
            f"the order of the examples from {ORDERED_CALL} (their labels are positions)",
            expected=_first(POSITIONS),
            received=_first(positions),
            hint="shuffle only when shuffle is true.",
        )
    _check_features_match_labels(ordered, ORDERED_CALL)


@pytest.mark.points(1)
def test_dataset_shuffles_when_asked(shuffled: DatasetReport) -> None:
    """with shuffle=True, every example comes once, with its own label, in a new order"""
    positions = _positions(shuffled, SHUFFLED_CALL)
    if len(positions) != EXAMPLES or not np.array_equal(np.sort(positions), POSITIONS):
        counts = np.bincount(
            positions[(positions >= 0) & (positions < EXAMPLES)], minlength=EXAMPLES
        )
        raise fail(
            f"the examples from {SHUFFLED_CALL}",
            expected=f"each of the {EXAMPLES} examples exactly once",
            received=f"{len(positions)} examples: {int(np.sum(counts == 0))} missing and "
            f"{int(np.sum(counts > 1))} repeated",
            hint="shuffle with a buffer as large as the data, .shuffle(len(features)), once, "
            "without .repeat().",
        )
    if np.array_equal(positions, POSITIONS):
        raise fail(
            f"the order of the examples from {SHUFFLED_CALL}",
            expected="shuffled",
            received=f"the order of features: {_first(positions)}",
            hint="call .shuffle(len(features)) when shuffle is true.",
        )
    _check_features_match_labels(shuffled, SHUFFLED_CALL)


@pytest.mark.points(2)
def test_dataset_maps_caches_and_prefetches(submission: Submission) -> None:
    """the pipeline maps, caches (before any shuffle) and prefetches"""
    for call, kwargs in ((ORDERED_CALL, {}), (SHUFFLED_CALL, {"shuffle": True})):
        path, steps = _steps(submission, **kwargs)
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
