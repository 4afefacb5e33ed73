"""Rebuilding a submitted model: built-in layers only, weights must fit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from course.grading.rebuild import NotRebuildable, check_config, rebuild_model

keras = pytest.importorskip("keras")


def _model() -> object:
    return keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(2)]
    )


def test_rebuilt_model_predicts_like_the_original() -> None:
    """A Sequential model comes back from config and arrays with identical outputs."""
    model = _model()
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    rebuilt = rebuild_model(model.to_json(), model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0))


def test_lambda_layers_are_refused() -> None:
    """A Lambda layer would run submitted code: refused before Keras sees the config."""
    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2)])
    with pytest.raises(NotRebuildable, match="Lambda"):
        rebuild_model(model.to_json(), model.get_weights())


def test_foreign_modules_and_custom_activations_are_refused() -> None:
    """Configs pointing at other modules or non-built-in activations are refused."""
    with pytest.raises(NotRebuildable, match="module"):
        check_config({"class_name": "Dense", "module": "os", "config": {}})
    with pytest.raises(NotRebuildable, match="activation"):
        check_config(
            {
                "class_name": "Dense",
                "module": "keras.layers",
                "config": {"activation": {"class_name": "function", "config": "evil"}},
            }
        )


def test_weights_that_do_not_fit_are_refused() -> None:
    """Arrays of the wrong shapes cannot be set on the rebuilt model."""
    model = _model()
    weights = model.get_weights()
    weights[0] = np.zeros((5, 3), "float32")
    with pytest.raises(NotRebuildable, match="do not fit"):
        rebuild_model(model.to_json(), weights)


def test_subclassed_models_without_config_are_refused() -> None:
    """No config, no rebuild: the grader falls back to the worker's predictions."""
    with pytest.raises(NotRebuildable, match="no config"):
        rebuild_model(None, [])
    with pytest.raises(NotRebuildable, match="Sequential or Functional"):
        rebuild_model(json.dumps({"class_name": "MyModel"}), [])
