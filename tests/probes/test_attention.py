"""The ``attention.layer`` probe: a custom layer built and called in the worker, described."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from course.grading.errors import SubmissionError
from course.grading.submission import Submission
from course.sandbox import Worker

Write = Callable[..., Path]

LAYERS = """
import keras
import tensorflow as tf


class Scale(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.inner = keras.Sequential([keras.layers.Dense(units, use_bias=False)])
        self.norm = keras.layers.LayerNormalization(epsilon=1e-4)
        self.attention = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
        self.dropout = keras.layers.Dropout(0.5)

    def call(self, inputs, training=None, offset=None):
        x = self.inner(inputs)
        x = x + self.attention(x, x)
        if offset is not None:
            x = x + tf.cast(offset, x.dtype)
        return self.dropout(self.norm(x), training=training)


def not_a_layer():
    return 42
"""


@pytest.fixture
def submission_for(tmp_path: Path) -> Iterator[Callable[[Path], Submission]]:
    workers: list[Worker] = []

    def make(path: Path) -> Submission:
        worker = Worker(path, workdir=tmp_path / f"worker{len(workers)}")
        workers.append(worker)
        return Submission(worker)

    yield make
    for worker in workers:
        worker.close()


def test_layer_is_called_once_per_request_and_described(
    write_submission: Write, submission_for: Callable[[Path], Submission]
) -> None:
    """One layer object answers every call; its sub-layers come back with settings and weights."""
    pytest.importorskip("keras")
    submission = submission_for(write_submission(LAYERS))
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    report = submission.probe(
        "attention.layer",
        action="Scale(4)",
        factory="Scale",
        args=[4],
        calls=[
            {"inputs": x, "training": False},
            {"inputs": x, "training": False},
            {"inputs": x, "training": True},
            {"inputs": x, "training": False, "kwargs": {"offset": np.ones((1, 1, 4), "float32")}},
        ],
    )
    first, second, trained, shifted = report["outputs"]
    assert first.shape == (2, 3, 4)
    np.testing.assert_array_equal(first, second)  # the same weights: built once
    assert not np.allclose(first, trained)  # dropout ran in training only
    np.testing.assert_allclose(shifted, first, atol=1e-5)  # a constant offset is normalised away
    assert report["class_chain"][:2] == ["Scale", "Layer"]
    classes = [layer["class_name"] for layer in report["sublayers"]]
    assert classes.count("Dense") == 1
    assert "MultiHeadAttention" in classes
    assert "EinsumDense" not in classes  # the attention's inner layers are not listed
    norm = next(
        layer for layer in report["sublayers"] if layer["class_name"] == "LayerNormalization"
    )
    assert norm["config"]["epsilon"] == pytest.approx(1e-4)
    attention = next(
        layer for layer in report["sublayers"] if layer["class_name"] == "MultiHeadAttention"
    )
    paths = [weight["path"].split("/")[-2:] for weight in attention["weights"]]
    assert ["query", "kernel"] in paths
    assert ["attention_output", "bias"] in paths
    # Dense 4x4 without bias, LayerNorm 2 x 4, attention: 3 x (4*2*3 + 2*3) + (2*3*4 + 4).
    assert report["trainable_parameters"] == 16 + 8 + 3 * 30 + 28
    assert report["non_trainable_parameters"] == 0


def test_something_other_than_a_layer_is_refused(
    write_submission: Write, submission_for: Callable[[Path], Submission]
) -> None:
    """A factory that returns no Keras layer is the student's mistake, named as such."""
    pytest.importorskip("keras")
    submission = submission_for(write_submission(LAYERS))
    with pytest.raises(SubmissionError, match="not a keras Layer"):
        submission.probe(
            "attention.layer",
            action="not_a_layer()",
            factory="not_a_layer",
            calls=[{"inputs": np.zeros((1, 2), "float32")}],
        )
