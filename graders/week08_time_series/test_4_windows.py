"""Week 8 grader, part 4: ``windowed_dataset`` (exercise 8.9).

The worker calls ``windowed_dataset`` on float32 series whose values are all different
(drawn without replacement, three decimals from 0 to 100), so each label tells which window
it closes, and iterates each dataset once. Three calls, their arguments drawn at each
grading (``fresh_rng``):

* in order (``shuffle_buffer=1``, the contract's no-shuffle setting): a series of 30 to 80
  values, windows of 3 to 10, a batch size at least the number of windows, so the only
  batch holds them all: window i must be ``series[i:i + window_size]`` and its label
  ``series[i + window_size]``;
* in order in smaller batches: the same series and window size, a batch size from 4 to 16
  that does not divide the number of windows, so the last batch holds the rest: float32
  features of shape (batch_size, window_size) and labels of shape (batch_size,);
* shuffled: a series of 150 to 300 values, windows of 5 to 20, a shuffle buffer from the
  number of windows to 2,000 and a batch size at least the number of windows, so the only
  batch holds all the windows in the shuffled order. Each must still be a run of
  consecutive values followed by its label (a window of another width counts as long as
  its values run on into the label: the shape check names that mistake), and the order
  must not be the series' order: all 130 or more windows in order by chance has
  probability below 1/130!.

Exact answers, no thresholds: ``tf.data`` moves float32 values without changing them.

Equivalent mutants:
    windowed_dataset:drop-step:prefetch - prefetching changes when batches are made, not
        which: the windows, labels, batches and their order are the same without it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pytest

from course.grading.reports import DatasetReport
from course.grading.submission import Submission
from course.testing import INFINITE, check_array, fail, format_shape, fresh_rng

from . import reference

pytestmark = pytest.mark.visibility("visible")

#: The arguments of a call: (series, window_size, batch_size, shuffle_buffer).
Arguments = tuple[np.ndarray, int, int, int]
#: The "ordered", "batched" or "shuffled" call: its arguments, in words, and its dataset.
Windowed = Callable[[str], tuple[Arguments, str, DatasetReport]]


def _distinct_series(rng: np.random.Generator, steps: int) -> np.ndarray:
    """``steps`` different float32 values from 0 to 100, three decimals each."""
    return (rng.choice(100_000, size=steps, replace=False) / 1_000).astype("float32")


@pytest.fixture(scope="module")
def windowed(submission: Submission) -> Windowed:
    """The three drawn calls, each dataset described once by the worker, on first use."""
    rng = fresh_rng(submission, "windowed_dataset")
    short = _distinct_series(rng, int(rng.integers(30, 81)))
    window = int(rng.integers(3, 11))
    count = len(short) - window
    batch = int(rng.choice([size for size in range(4, 17) if count % size]))
    long = _distinct_series(rng, int(rng.integers(150, 301)))
    long_window = int(rng.integers(5, 21))
    long_count = len(long) - long_window
    calls: dict[str, Arguments] = {
        "ordered": (short, window, count + int(rng.integers(0, 100)), 1),
        "batched": (short, window, batch, 1),
        "shuffled": (
            long,
            long_window,
            long_count + int(rng.integers(0, 200)),
            int(rng.integers(long_count, 2_001)),
        ),
    }

    @functools.cache
    def describe(kind: str) -> tuple[Arguments, str, DatasetReport]:
        series, window_size, batch_size, shuffle_buffer = arguments = calls[kind]
        call = (
            f"windowed_dataset(series of {len(series)} values, window_size={window_size}, "
            f"batch_size={batch_size}, shuffle_buffer={shuffle_buffer})"
        )
        return arguments, call, submission.dataset("windowed_dataset", *arguments)

    return describe


def _show(values: np.ndarray, limit: int = 6) -> str:
    """``[12.5, 3.25, ...]``: the first ``limit`` values, as the series prints them."""
    shown = ", ".join(f"{float(value):g}" for value in values[:limit])
    return f"[{shown}{', ...' if len(values) > limit else ''}]"


def _first_batch(report: DatasetReport, call: str) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) of the first batch, labels flattened to one per window."""
    if len(report.first_batch) != 2:
        raise fail(
            f"each element of {call}",
            expected="a pair (features, labels)",
            received=f"{len(report.first_batch)} tensors",
            hint="map each window to (window[:-1], window[-1]) before batching.",
        )
    features, labels = report.first_batch
    if features.ndim != 2:
        raise fail(
            f"the features of the first batch of {call}",
            expected="a 2-D tensor, one window per row",
            received=f"shape {format_shape(features.shape)}",
            hint="turn each window into one tensor with flat_map(lambda w: "
            "w.batch(window_size + 1)).",
        )
    if labels.size != features.shape[0]:
        raise fail(
            f"the labels of the first batch of {call}",
            expected=f"one label per window ({features.shape[0]})",
            received=f"shape {format_shape(labels.shape)}",
            hint="the label is the single value after the window: window[-1].",
        )
    return features, labels.reshape(-1)


@pytest.mark.points(1)
def test_batches_have_the_right_shapes_and_dtypes(windowed: Windowed) -> None:
    """each batch is (float32 windows of shape (batch, window_size), float32 labels (batch,))"""
    (series, window_size, batch_size, _), call, report = windowed("batched")
    _first_batch(report, call)
    parts = (
        (
            "features",
            (batch_size, window_size),
            "window the series with window(window_size + 1, shift=1, drop_remainder=True) and "
            "keep all values but the last as features: window[:-1].",
        ),
        (
            "labels",
            (batch_size,),
            "the label is the last value of each window as a scalar, window[-1], so that a "
            "batch of labels has shape (batch,) (window[-1:] gives (batch, 1)).",
        ),
    )
    for array, (name, shape, hint) in zip(report.first_batch, parts, strict=True):
        check_array(
            array,
            f"the {name} of the first batch of {call}",
            dtype=str(series.dtype),
            shape=shape,
            hint=hint + " Build the dataset from the series itself, "
            "tf.data.Dataset.from_tensor_slices(series), without casting.",
        )


@pytest.mark.points(2)
def test_unshuffled_windows_follow_the_series(windowed: Windowed) -> None:
    """with shuffle_buffer=1, the windows follow the series in order, each with its label"""
    (series, window_size, batch_size, _), call, report = windowed("ordered")
    features, labels = _first_batch(report, call)
    windows, targets = reference.windows(series, window_size)
    hint = (
        "from_tensor_slices(series), window(window_size + 1, shift=1, drop_remainder=True), "
        "flat_map(lambda w: w.batch(window_size + 1)), then (w[:-1], w[-1]): every window "
        "once, in order when shuffle_buffer is 1."
    )
    total = sum(report.batch_sizes)
    if report.batch_sizes[:1] != (len(windows),) or total != len(windows):
        raise fail(
            f"the windows of {call} (batch size {batch_size}, so one batch)",
            expected=f"{len(windows)} windows (len(series) - window_size), in one batch",
            received=f"{total} windows in batches of {list(report.batch_sizes[:5])}"
            + ("..." if len(report.batch_sizes) > 5 else ""),
            hint=hint,
        )
    for index, (row, label) in enumerate(zip(features, labels, strict=True)):
        if not (np.array_equal(row, windows[index]) and label == targets[index]):
            raise fail(
                f"window {index} of {call}",
                expected=f"series[{index}:{index + window_size}] = {_show(windows[index])} "
                f"with the label series[{index + window_size}] = {targets[index]:g}",
                received=f"{_show(row)} with the label {label:g}",
                hint=hint + " shuffle_buffer=1 must keep the order.",
            )


@pytest.mark.visibility("hidden")  # a boundary: the last, shorter batch
@pytest.mark.points(1)
def test_batches_hold_batch_size_windows(windowed: Windowed) -> None:
    """every batch holds batch_size windows, the last one the rest; one pass, no repeat"""
    (_, _, batch_size, _), call, report = windowed("batched")
    sizes = list(report.batch_sizes)
    if report.cardinality == INFINITE:
        raise fail(
            f"the number of batches of {call}",
            expected="finite: one pass over the windows",
            received="infinite (the dataset repeats)",
            hint="leave repeat() out: model.fit runs one pass per epoch.",
        )
    if not sizes or any(size != batch_size for size in sizes[:-1]) or sizes[-1] > batch_size:
        raise fail(
            f"the batch sizes of {call}",
            expected=f"{batch_size} windows in every batch but the last, which holds the rest",
            received=sizes[:8],
            hint="end with .batch(batch_size) (and prefetch(1)).",
        )


@pytest.mark.points(2)
def test_shuffled_windows_are_slices_of_the_series(windowed: Windowed) -> None:
    """shuffled, each window is still a run of the series followed by its own label"""
    (series, _, _, _), call, report = windowed("shuffled")
    features, labels = _first_batch(report, call)
    position = {float(value): index for index, value in enumerate(series)}
    width = features.shape[1]
    for index, (row, label) in enumerate(zip(features, labels, strict=True)):
        end = position.get(float(label))
        start = None if end is None else end - width
        if start is None or start < 0 or not np.array_equal(row, series[start:end]):
            raise fail(
                f"window {index} of the first batch of {call}",
                expected="consecutive values of the series, followed in the series by the label",
                received=f"{_show(row)} with the label {label:g}"
                + ("" if end is None else f" (series[{max(end - width, 0)}:{end}] is "
                   f"{_show(series[max(end - width, 0):end])})"),
                hint="shuffle the windows, not the values: shuffle after flat_map, so that each "
                "window stays a run of consecutive values and keeps its own label (the map to "
                "(w[:-1], w[-1]) may come before or after the shuffle).",
            )  # fmt: skip


@pytest.mark.points(1)
def test_shuffled_windows_come_in_random_order(windowed: Windowed) -> None:
    """with a large shuffle buffer, the windows do not come in the series' order"""
    (series, window_size, batch_size, _), call, report = windowed("shuffled")
    _, labels = _first_batch(report, call)
    in_order = series[window_size : window_size + len(labels)]
    if len(labels) > 1 and np.array_equal(labels, in_order):
        raise fail(
            f"the order of the {len(labels)} windows of {call} (batch size {batch_size}, so "
            "one batch)",
            expected="shuffled",
            received="the series' order",
            hint="call dataset.shuffle(shuffle_buffer) on the windows before batching: "
            "shuffling after batch() only reorders whole batches.",
        )
