"""Week 13 grader, part 1: the submission's strategy (exercise 13.1).

The worker calls ``make_strategy()`` and returns the strategy's class chain, its
``num_replicas_in_sync``, the devices it mirrors over, and the logical devices the worker
sees. Before the submission is imported, the worker splits the CPU into two logical devices
(``worker.toml`` beside this file), so on the grading machine, which has no GPU, the
expected strategy mirrors over ``CPU:0`` and ``CPU:1``: 2 replicas. On a machine with GPUs
the expected devices are the GPUs. Exact answers, no thresholds.

Every other part of this week hands the submission the grader's own MirroredStrategy over
the two logical CPUs, so a wrong ``make_strategy`` costs only these checks.

Self-reported, both checks worth 1 point: the strategy never leaves the worker, so its
class, replica count and devices are the worker's description of it. Nothing is drawn:
``make_strategy()`` takes no input.
"""

from __future__ import annotations

from typing import Any

import pytest

from course.grading.reports import expect
from course.grading.submission import Submission
from course.testing import fail, note

from . import replies

pytestmark = pytest.mark.visibility("visible")

_HINT = (
    "devices = tf.config.list_logical_devices('GPU') or "
    "tf.config.list_logical_devices('CPU'), then "
    "tf.distribute.MirroredStrategy(devices=[device.name for device in devices])."
)


@pytest.fixture(scope="module")
def strategy(submission: Submission) -> dict[str, Any]:
    """The worker's description of ``make_strategy()``, its fields type-checked."""
    value = replies.probe(
        submission, "distribution.strategy", action="make_strategy()", function="make_strategy"
    )
    expect(value.get("replicas"), int, what="the number of replicas")
    replies.strings(value.get("class_chain"), what="a class name")
    if value.get("devices") is not None:
        replies.strings(value["devices"], what="the strategy's devices")
    machine = expect(value.get("machine"), dict, what="the machine's devices")
    for kind in ("gpus", "cpus"):
        replies.strings(machine.get(kind), what=f"the machine's {kind}")
    return value


@pytest.mark.points(1)
def test_strategy_is_mirrored(strategy: dict[str, Any]) -> None:
    """make_strategy returns a tf.distribute.MirroredStrategy

    Self-reported: the strategy's class chain, as the worker names it."""
    chain = strategy["class_chain"]
    if "MirroredStrategy" not in chain:
        raise fail(
            "the strategy from make_strategy()",
            expected="a tf.distribute.MirroredStrategy",
            received=chain[0],
            hint=_HINT,
        )


@pytest.mark.points(1)
def test_strategy_uses_every_device(strategy: dict[str, Any]) -> None:
    """make_strategy mirrors over every device: 2 replicas on the grading machine

    Self-reported: the replica count and devices of the strategy, and the machine's logical
    devices, as the worker lists them."""
    gpus, cpus = strategy["machine"]["gpus"], strategy["machine"]["cpus"]
    if not gpus and len(cpus) < 2:
        raise RuntimeError(
            f"the worker sees {len(cpus)} logical CPU and no GPU: is worker.toml "
            "(logical_cpus = 2) missing from the grader folder?"
        )
    expected = gpus or cpus
    machine = (
        f"this machine has {len(gpus)} GPU(s)"
        if gpus
        else f"this machine has no GPU; the grader split its CPU into {len(cpus)} logical devices"
    ) + f": {', '.join(expected)}"
    devices = strategy["devices"]
    received = (
        f"{strategy['replicas']} replica{'' if strategy['replicas'] == 1 else 's'}"
        + (f" on {', '.join(devices)}" if devices is not None else "")
        + f" ({machine})"
    )
    same_devices = devices is None or sorted(devices) == sorted(expected)
    if strategy["replicas"] != len(expected) or not same_devices:
        raise fail(
            "the strategy from make_strategy()",
            expected=f"{len(expected)} replicas, one on each of {', '.join(expected)}",
            received=received,
            hint=_HINT,
        )
    note(f"make_strategy(): {received}")
