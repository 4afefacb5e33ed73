"""The ``time_series.forecast`` probe: a forecast function runs, its model runs are counted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from course.grading.submission import Submission
from course.probes.markers import model_spec
from course.sandbox import Worker

FORECASTS = """
import numpy as np
import tensorflow as tf


def batched(model, series, window_size, batch_size):
    dataset = tf.data.Dataset.from_tensor_slices(series)
    dataset = dataset.window(window_size, shift=1, drop_remainder=True)
    dataset = dataset.flat_map(lambda window: window.batch(window_size))
    return model.predict(dataset.batch(batch_size), verbose=0)[:, 0]


def predict_per_window(model, series, window_size, batch_size):
    starts = range(len(series) - window_size + 1)
    return np.array(
        [model.predict(series[i : i + window_size][None], verbose=0)[0, 0] for i in starts]
    )


def call_per_window(model, series, window_size, batch_size):
    starts = range(len(series) - window_size + 1)
    return np.array([float(model(series[i : i + window_size][None])[0, 0]) for i in starts])


def predict_on_batch_per_window(model, series, window_size, batch_size):
    starts = range(len(series) - window_size + 1)
    return np.array(
        [model.predict_on_batch(series[i : i + window_size][None])[0, 0] for i in starts]
    )
"""
WINDOW_SIZE = 4
SERIES = np.linspace(0.0, 3.0, 24, dtype="float32")  # 21 windows


@pytest.fixture(scope="module")
def submission(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Submission]:
    folder = tmp_path_factory.mktemp("time-series")
    path = folder / "submission.py"
    path.write_text(FORECASTS)
    worker = Worker(path, workdir=folder / "worker")
    yield Submission(worker)
    worker.close()


@pytest.fixture(scope="module")
def model() -> Any:
    keras = pytest.importorskip("keras")
    built = keras.Sequential([keras.Input((WINDOW_SIZE,)), keras.layers.Dense(1)])
    built.set_weights([np.array([[1.0], [2.0], [3.0], [4.0]], "float32"), np.zeros(1, "float32")])
    return built


def run(submission: Submission, model: Any, function: str) -> dict[str, Any]:
    reply = submission.probe(
        "time_series.forecast",
        action=function,
        function=function,
        model=model_spec(model.to_json(), model.get_weights()),
        series=SERIES,
        window_size=WINDOW_SIZE,
        batch_size=8,
    )
    assert isinstance(reply, dict)
    return reply


def expected_forecast() -> np.ndarray:
    windows = np.lib.stride_tricks.sliding_window_view(SERIES, WINDOW_SIZE)
    forecast: np.ndarray = windows @ np.array([1.0, 2.0, 3.0, 4.0])
    return forecast


def test_a_batched_forecast_runs_the_model_a_few_times(submission: Submission, model: Any) -> None:
    """One predict over a dataset: one predict call and a trace or two, the right values."""
    reply = run(submission, model, "batched")
    np.testing.assert_allclose(reply["value"], expected_forecast(), rtol=1e-5)
    assert reply["runs"]["predict"] == 1
    assert reply["runs"]["predict_on_batch"] == 0
    assert 1 <= reply["runs"]["call"] <= 3


@pytest.mark.parametrize(
    ("function", "counted"),
    [
        ("predict_per_window", "predict"),
        ("call_per_window", "call"),
        ("predict_on_batch_per_window", "predict_on_batch"),
    ],
)
def test_a_loop_over_windows_counts_one_run_per_window(
    submission: Submission, model: Any, function: str, counted: str
) -> None:
    """Each way of running the model once per window shows as one count per window."""
    reply = run(submission, model, function)
    np.testing.assert_allclose(reply["value"], expected_forecast(), rtol=1e-5)
    assert reply["runs"][counted] == len(expected_forecast())
