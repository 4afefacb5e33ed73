"""Week 13 grader, part 2: global batches and distributed datasets (exercises 13.2, 13.3).

The worker hands the submission the grader's MirroredStrategy over its two logical CPUs
(2 replicas, on any machine). ``global_batch_size`` is called for three per-replica sizes
and must return the per-replica size times 2.

``distribute_dataset(strategy, x, y, 8)`` gets 96 generated examples whose first feature is
the example's index (``x[i] = [i, i + 0.25, i + 0.5]``, ``y[i] = i % 10``). The worker
iterates the returned dataset once (at most 20 elements) and returns, for every element,
each replica's part of ``x`` and ``y`` (``strategy.experimental_local_results``). The check
wants a ``tf.distribute.DistributedDataset`` whose elements give each of the 2 replicas 8
examples, 6 elements in all, every example exactly once with its own label, in any order.
Exact answers, no thresholds.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.reports import expect, expect_array
from course.grading.submission import Submission
from course.probes.distribution import STRATEGY
from course.testing import fail

REPLICAS = 2
EXAMPLES = 96
PER_REPLICA = 8
MAX_STEPS = 20


def _examples() -> tuple[np.ndarray, np.ndarray]:
    index = np.arange(EXAMPLES, dtype="float32")
    x = np.stack([index, index + 0.25, index + 0.5], axis=1)
    return x, (np.arange(EXAMPLES) % 10).astype("int32")


@pytest.mark.points(1)
def test_global_batch_size(submission: Submission) -> None:
    """global_batch_size is the per-replica batch size times the number of replicas"""
    for per_replica in (32, 8, 5):
        call = f"global_batch_size({per_replica}, strategy)"
        received = submission.probe(
            "distribution.call",
            action=call,
            function="global_batch_size",
            args=[per_replica, STRATEGY],
        )
        integer = type(received) is int or (
            type(received) is np.ndarray and received.ndim == 0 and received.dtype.kind in "iu"
        )
        if not integer or int(received) != per_replica * REPLICAS:
            raise fail(
                f"{call} with a strategy of {REPLICAS} replicas",
                expected=f"{per_replica * REPLICAS} (an int)",
                received=repr(received),
                hint="multiply per_replica_batch_size by strategy.num_replicas_in_sync.",
            )


@pytest.mark.points(2)
def test_distributed_dataset_batches(submission: Submission) -> None:
    """distribute_dataset gives each replica per_replica_batch_size examples, each once"""
    x, y = _examples()
    call = f"distribute_dataset(strategy, x, y, {PER_REPLICA})"
    report = expect(
        submission.probe(
            "distribution.dataset",
            action=call,
            function="distribute_dataset",
            args=[STRATEGY, x, y, PER_REPLICA],
            max_steps=MAX_STEPS,
        ),
        dict,
        what="the dataset description",
    )
    chain = [expect(name, str, what="a class name") for name in report.get("class_chain", [])]
    if expect(report.get("distributed"), bool, what="the distributed flag") is not True:
        raise fail(
            f"the dataset from {call}",
            expected="a tf.distribute.DistributedDataset, whose elements hold one part per replica",
            received=f"a {chain[0] if chain else 'dataset'}",
            hint="return strategy.experimental_distribute_dataset(dataset) for the batched "
            "tf.data.Dataset.",
        )
    steps = expect(report.get("steps"), list, what="the elements")
    global_batch = PER_REPLICA * REPLICAS
    seen_x: list[np.ndarray] = []
    seen_y: list[np.ndarray] = []
    for number, step in enumerate(steps, start=1):
        step = expect(step, dict, what="an element")
        parts_x = expect(step.get("x"), list, what="the x parts")
        parts_y = expect(step.get("y"), list, what="the y parts")
        if len(parts_x) != REPLICAS or len(parts_y) != REPLICAS:
            raise fail(
                f"the number of parts of element {number} of the dataset from {call}",
                expected=f"{REPLICAS}, one per replica",
                received=len(parts_x),
                hint="distribute the batched dataset with strategy.experimental_distribute_"
                "dataset.",
            )
        for replica, (part_x, part_y) in enumerate(zip(parts_x, parts_y, strict=True)):
            part_x = expect_array(part_x, what="an x part", kinds="f", ndim=2)
            part_y = expect_array(part_y, what="a y part", kinds="iu", ndim=1)
            if len(part_x) != PER_REPLICA or len(part_y) != PER_REPLICA:
                raise fail(
                    f"the examples replica {replica} receives in element {number} of the "
                    f"dataset from {call}",
                    expected=f"{PER_REPLICA} (per_replica_batch_size)",
                    received=f"{len(part_x)}",
                    hint=f"batch the dataset with the global batch size, {PER_REPLICA} x "
                    f"{REPLICAS} replicas = {global_batch}: the strategy splits each batch "
                    "between the replicas.",
                )
            if part_x.shape[1:] != x.shape[1:]:
                raise fail(
                    f"the shape of the x part of replica {replica} in element {number}",
                    expected=f"({PER_REPLICA}, {x.shape[1]})",
                    received=part_x.shape,
                    hint="make the dataset from the pairs (x, y) as they are.",
                )
            seen_x.append(part_x)
            seen_y.append(part_y)
    indices = np.concatenate(seen_x)[:, 0] if seen_x else np.zeros(0)
    labels = np.concatenate(seen_y) if seen_y else np.zeros(0, dtype="int32")
    if len(steps) != EXAMPLES // global_batch or sorted(indices.tolist()) != list(range(EXAMPLES)):
        more = " or more" if len(steps) == MAX_STEPS else ""
        raise fail(
            f"one pass over the dataset from {call} for {EXAMPLES} examples",
            expected=f"{EXAMPLES // global_batch} elements holding every example once",
            received=f"{len(steps)}{more} elements holding {len(indices)} examples, "
            f"{len(set(indices.tolist()))} of them different",
            hint="make the dataset from (x, y) without repeat(), and batch it once.",
        )
    if not np.array_equal(labels, indices.astype("int64") % 10):
        raise fail(
            f"the labels in the dataset from {call}",
            expected="y[i] beside x[i] in every element",
            received="labels that do not belong to their examples",
            hint="make one dataset from the pair: tf.data.Dataset.from_tensor_slices((x, y)).",
        )
