"""course.testing.rebuilt_model: the grader's own copy of a model, or a failed check."""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.errors import CheckFailed
from course.grading.reports import ModelReport
from course.probes.models import describe_model
from course.testing import rebuilt_model

keras = pytest.importorskip("keras")


def _report(model: object) -> ModelReport:
    return ModelReport.from_plain(describe_model(model))


def test_a_model_of_standard_layers_comes_back_with_its_weights() -> None:
    """The rebuilt model predicts what the described one does."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    rebuilt = rebuilt_model(_report(model), what="the model")
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_model_that_cannot_be_rebuilt_fails_saying_why_and_what_to_use() -> None:
    """A Lambda layer fails the check: the reason and the standard layers to use instead."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2)])
    with pytest.raises(CheckFailed) as failed:
        rebuilt_model(_report(model), what="the trained model")
    message = str(failed.value)
    assert message.startswith("the trained model should be a model of standard Keras layers")
    assert "'Lambda'" in message
    assert "Hint: use only layers from keras.layers" in message
