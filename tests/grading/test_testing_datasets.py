"""course.testing's dataset checks, on datasets whose labels are the examples' positions: each
mistake a pipeline can make fails the check that names it, with the figures a student needs."""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.errors import CheckFailed
from course.grading.reports import DatasetReport
from course.testing import (
    INFINITE,
    check_batch_sizes,
    check_each_once,
    check_in_order,
    check_shuffled,
    describe_spec,
    format_batches,
    format_head,
    positions_of,
)

CALL = "make_dataset(x, y)"
PAIR_SPEC = [{"shape": [None, 28, 28], "dtype": "float32"}, {"shape": [None], "dtype": "int64"}]


def _report(
    positions: np.ndarray, batch_sizes: list[int], *, cardinality: int = 3, spec: object = None
) -> DatasetReport:
    return DatasetReport(
        element_spec=PAIR_SPEC if spec is None else spec,
        transformations=("BatchDataset",),
        cardinality=cardinality,
        first_batch=(),
        batch_sizes=tuple(batch_sizes),
        targets=positions,
    )


def _message(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(CheckFailed) as failed:
        call(*args, **kwargs)  # type: ignore[operator]
    return str(failed.value)


def test_batches_and_heads_read_as_words() -> None:
    assert format_batches([32, 32, 32, 4]) == "3 batches of 32, then 1 batch of 4"
    assert format_batches([]) == "no batches"
    assert format_batches([1, 2, 1, 2, 1]).endswith(", ...")
    assert format_head(np.arange(10)) == "[0, 1, 2, 3, 4, 5, 6, 7, ...]"
    assert format_head(np.array([3, 1])) == "[3, 1]"
    assert describe_spec(PAIR_SPEC) == (
        "(float32 tensors of shape (None, 28, 28), int64 tensors of shape (None,))"
    )


def test_batch_sizes_accept_full_batches_and_a_short_last_one() -> None:
    check_batch_sizes(_report(np.arange(70), [32, 32, 6]), CALL, count=70, size=32, of="examples")


def test_batch_sizes_name_a_repeat_and_a_dropped_remainder() -> None:
    infinite = _report(np.arange(70), [32] * 5, cardinality=INFINITE)
    assert "an infinite dataset" in _message(
        check_batch_sizes, infinite, CALL, count=70, size=32, of="examples"
    )
    dropped = _report(np.arange(64), [32, 32])
    message = _message(check_batch_sizes, dropped, CALL, count=70, size=32, of="examples")
    assert "2 batches of 32, then 1 batch of 6" in message
    assert "Received: 2 batches of 32." in message


def test_each_once_counts_missing_and_repeated_examples() -> None:
    check_each_once(np.array([2, 0, 1]), CALL, count=3, of="examples", hint="h")
    message = _message(check_each_once, np.array([0, 0, 1]), CALL, count=3, of="examples", hint="h")
    assert "each of the 3 examples exactly once" in message
    assert "3 examples: 1 missing and 1 repeated" in message


def test_in_order_points_at_the_first_example_out_of_place() -> None:
    check_in_order(np.arange(5), CALL, count=5, order="the order of x", hint="h")
    message = _message(
        check_in_order, np.array([0, 1, 3, 2, 4]), CALL, count=5, order="the order of x", hint="h"
    )
    assert "from position 2 on should be in the order of x: [2, 3, 4]" in message
    assert "Received: [3, 2, 4]" in message
    assert "from position 0" in _message(
        check_in_order, np.array([], dtype=int), CALL, count=5, order="the order of x", hint="h"
    )


def test_shuffled_refuses_the_original_order_and_a_small_buffer() -> None:
    def shuffled(positions: np.ndarray) -> None:
        check_shuffled(
            positions,
            CALL,
            count=100,
            first_batch=10,
            order="the order of x",
            hint="shuffle",
            buffer_hint="a larger buffer",
        )

    rng = np.random.default_rng(0)
    shuffled(rng.permutation(100))
    unshuffled = _message(shuffled, np.arange(100))
    assert "should be shuffled" in unshuffled
    assert "Hint: shuffle" in unshuffled
    small = _message(shuffled, np.concatenate([rng.permutation(10), np.arange(10, 100)]))
    assert "only examples up to 9" in small
    assert "Hint: a larger buffer" in small


def test_positions_are_integer_labels_of_a_dataset_of_pairs() -> None:
    positions = positions_of(_report(np.arange(4), [4]), CALL, pair="a pair", hint="h")
    assert positions.tolist() == [0, 1, 2, 3]
    single = _report(np.arange(4), [4], spec={"shape": [None, 28], "dtype": "float32"})
    assert "should be a pair" in _message(positions_of, single, CALL, pair="a pair", hint="h")
    floats = _report(np.arange(4, dtype=np.float32), [4])
    assert "float32 of shape (4,)" in _message(positions_of, floats, CALL, pair="a pair", hint="h")
