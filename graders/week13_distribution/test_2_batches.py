"""Week 13 grader, part 2: global batches and distributed datasets (exercises 13.2, 13.3).

The worker hands the submission the grader's MirroredStrategy over its two logical CPUs
(2 replicas, on any machine). ``global_batch_size`` is called for three different
per-replica sizes drawn afresh at each grading from 1 to 128 (``fresh_rng(submission,
"global batch size")``) and must return the per-replica size times 2.

``distribute_dataset(strategy, x, y, p)`` gets examples drawn afresh at each grading
(``fresh_rng(submission, "distributed dataset")``; ranges inclusive): a per-replica batch
size ``p`` from 2 to 12, and 3 to 8 global batches' worth of examples (``3 * 2 p`` to
``8 * 2 p``) of 2 to 5 features, whose first feature is the example's index (``x[i, 0] =
i``; the others standard normal) and whose labels are random, 0 to 9. The worker iterates
the returned dataset once (at most 20 elements) and returns, for every element, each
replica's part of ``x`` and ``y`` (``strategy.experimental_local_results``). The check wants
a ``tf.distribute.DistributedDataset`` whose elements give each of the 2 replicas ``p``
examples, one element per global batch, every example exactly once with its own label and
features, in any order. Self-reported: the parts each replica received are the worker's
account of how its strategy split the elements (1 point); their contents are checked
against the grader's examples. Exact answers, no thresholds.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.reports import expect, expect_array
from course.grading.submission import Submission
from course.probes.distribution import STRATEGY
from course.testing import draw_between, fail, fresh_rng

from . import replies
from .replies import REPLICAS

pytestmark = pytest.mark.visibility("visible")

PER_REPLICA = (2, 12)  # inclusive, as are the other ranges
GLOBAL_BATCHES = (3, 8)
WIDTH = (2, 5)
MAX_STEPS = 20


@pytest.mark.points(1)
def test_global_batch_size(submission: Submission) -> None:
    """global_batch_size is the per-replica batch size times the number of replicas"""
    sizes = fresh_rng(submission, "global batch size").choice(np.arange(1, 129), 3, replace=False)
    for per_replica in (int(size) for size in sizes):
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


@pytest.mark.points(1)
def test_distributed_dataset_batches(submission: Submission) -> None:
    """distribute_dataset gives each replica per_replica_batch_size examples, each once

    Self-reported: the parts each replica received, as the worker's strategy split them."""
    rng = fresh_rng(submission, "distributed dataset")
    per_replica = draw_between(rng, PER_REPLICA)
    global_batch = per_replica * REPLICAS
    count = draw_between(rng, GLOBAL_BATCHES)
    examples = global_batch * count
    x = rng.normal(size=(examples, draw_between(rng, WIDTH))).astype("float32")
    x[:, 0] = np.arange(examples)
    y = rng.integers(0, 10, size=examples).astype("int32")
    call = f"distribute_dataset(strategy, x, y, {per_replica})"
    report = replies.probe(
        submission,
        "distribution.dataset",
        action=call,
        function="distribute_dataset",
        args=[STRATEGY, x, y, per_replica],
        max_steps=MAX_STEPS,
    )
    chain = replies.strings(report.get("class_chain", []), what="a class name")
    if expect(report.get("distributed"), bool, what="the distributed flag") is not True:
        raise fail(
            f"the dataset from {call}",
            expected="a tf.distribute.DistributedDataset, whose elements hold one part per replica",
            received=f"a {chain[0] if chain else 'dataset'}",
            hint="return strategy.experimental_distribute_dataset(dataset) for the batched "
            "tf.data.Dataset.",
        )
    steps = expect(report.get("steps"), list, what="the elements")
    rows, labels = [np.zeros((0, x.shape[1]), dtype="float32")], [np.zeros(0, dtype="int32")]
    for number, step in enumerate(steps, start=1):
        parts_x = expect(expect(step, dict, what="an element").get("x"), list, what="the x parts")
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
            rows.append(expect_array(part_x, what="an x part", kinds="f", ndim=2))
            labels.append(expect_array(part_y, what="a y part", kinds="iu", ndim=1))
            if len(rows[-1]) != per_replica or len(labels[-1]) != per_replica:
                raise fail(
                    f"the examples replica {replica} receives in element {number} of the "
                    f"dataset from {call}",
                    expected=f"{per_replica} (per_replica_batch_size)",
                    received=f"{len(rows[-1])}",
                    hint=f"batch the dataset with the global batch size, {per_replica} x "
                    f"{REPLICAS} replicas = {global_batch}: the strategy splits each batch "
                    "between the replicas.",
                )
            if rows[-1].shape[1:] != x.shape[1:]:
                raise fail(
                    f"the shape of the x part of replica {replica} in element {number}",
                    expected=f"({per_replica}, {x.shape[1]})",
                    received=rows[-1].shape,
                    hint="make the dataset from the pairs (x, y) as they are.",
                )
    features = np.concatenate(rows)
    indices = features[:, 0]
    if len(steps) != count or sorted(indices.tolist()) != list(range(examples)):
        more = " or more" if len(steps) == MAX_STEPS else ""
        raise fail(
            f"one pass over the dataset from {call} for {examples} examples",
            expected=f"{count} elements holding every example once",
            received=f"{len(steps)}{more} elements holding {len(indices)} examples, "
            f"{len(set(indices.tolist()))} of them different",
            hint="make the dataset from (x, y) without repeat(), and batch it once.",
        )
    order = indices.astype("int64")
    if not (
        np.array_equal(np.concatenate(labels), y[order]) and np.array_equal(features, x[order])
    ):
        raise fail(
            f"the examples in the dataset from {call}",
            expected="y[i] beside x[i] in every element, each x[i] as it was given",
            received="labels or features that do not belong to their examples",
            hint="make one dataset from the pair: tf.data.Dataset.from_tensor_slices((x, y)).",
        )
