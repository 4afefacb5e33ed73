"""course.testing.predictions_of: a model's outputs computed in the grading process, or a
failed check."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.errors import CheckFailed
from course.grading.reports import ModelReport
from course.probes.models import describe_model
from course.testing import predictions_of

keras = pytest.importorskip("keras")


def _model() -> Any:
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])


def _inputs(rows: int = 5, features: int = 4) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(rows, features)).astype("float32")


def test_a_model_gives_its_predictions_as_an_array() -> None:
    """A model's predictions come back as an array; the batch size changes nothing."""
    model = _model()
    predictions = predictions_of(model, _inputs(), what="the model", batch_size=2)
    assert type(predictions) is np.ndarray
    np.testing.assert_allclose(predictions, model.predict(_inputs(), verbose=0), rtol=1e-5)


def test_a_report_is_rebuilt_first() -> None:
    """Given a ModelReport, the model is rebuilt here and predicts what the described one does."""
    model = _model()
    report = ModelReport.from_plain(describe_model(model))
    predictions = predictions_of(report, _inputs(), what="the model")
    np.testing.assert_allclose(predictions, model.predict(_inputs(), verbose=0))


def test_a_model_that_cannot_predict_the_inputs_fails_naming_the_error() -> None:
    """Inputs of the wrong shape fail the check: what, expected, the error and the hint."""
    with pytest.raises(CheckFailed) as failed:
        predictions_of(
            _model(),
            _inputs(features=7),
            what="the trained model",
            expected="able to predict a batch of 4 features",
            hint="start with keras.Input(shape=(4,)).",
        )
    message = str(failed.value)
    assert message.startswith(
        "the trained model should be able to predict a batch of 4 features. Received: "
    )
    assert "Error: " in message
    assert message.endswith(" Hint: start with keras.Input(shape=(4,)).")


def test_a_report_that_cannot_be_rebuilt_fails_saying_why() -> None:
    """A Lambda layer fails the check before anything is predicted, as rebuilt_model does."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2)])
    report = ModelReport.from_plain(describe_model(model))
    with pytest.raises(CheckFailed) as failed:
        predictions_of(report, _inputs(), what="the trained model", hint="not this one")
    message = str(failed.value)
    assert message.startswith("the trained model should be a model of standard Keras layers")
    assert "'Lambda'" in message
    assert "Hint: use only layers from keras.layers" in message
