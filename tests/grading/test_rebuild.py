"""Rebuilding a submitted model: built-in layers only, bounded in size, weights must fit."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from course.grading.rebuild import MAX_PARAMETERS, NotRebuildable, check_config, rebuild_model

keras = pytest.importorskip("keras")


def _model() -> Any:
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
    """No config, no rebuild: refused with a reason the grader can show the student."""
    with pytest.raises(NotRebuildable, match="no config"):
        rebuild_model(None, [])
    with pytest.raises(NotRebuildable, match="Sequential or Functional"):
        rebuild_model(json.dumps({"class_name": "MyModel"}), [])


def _forged_embedding(input_dim: int, output_dim: int) -> tuple[str, list[np.ndarray]]:
    """The config of a Functional ``Embedding(input_dim, output_dim)`` model, forged from a
    small one (building the large one here would allocate it), and the small one's weights."""
    inputs = keras.Input((10,), dtype="int32")
    outputs = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(8, 4)(inputs))
    small = keras.Model(inputs, outputs)
    config = json.loads(small.to_json())
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "Embedding":
            layer["config"].update(input_dim=input_dim, output_dim=output_dim)
    return json.dumps(config), small.get_weights()


def _resident_mebibytes(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} in /proc/self/status")


def test_a_model_over_the_parameter_budget_is_refused_before_allocating() -> None:
    """Embedding(800000, 1000) is refused in well under a second, and neither the refusal
    nor a later symbolic call (which leaves a stateless scope) raises the peak RSS."""
    clear_refs = Path("/proc/self/clear_refs")
    if not clear_refs.exists():
        pytest.skip("needs Linux's /proc/self/clear_refs to reset the peak resident memory")
    config_json, weights = _forged_embedding(800_000, 1_000)
    clear_refs.write_text("5")  # the peak (VmHWM) restarts from the current RSS
    before = _resident_mebibytes("VmRSS")
    start = time.perf_counter()
    with pytest.raises(NotRebuildable) as refused:
        rebuild_model(config_json, weights)
    elapsed = time.perf_counter() - start
    keras.layers.Dense(3)(keras.Input((4,)))  # would initialise any variable left deferred
    growth = _resident_mebibytes("VmHWM") - before
    assert str(refused.value).startswith(
        f"the model has 800,000,000 parameters; the grader rebuilds models of at most "
        f"{MAX_PARAMETERS:,}"
    )
    assert elapsed < 5.0
    assert growth < 200, f"the peak RSS grew by {growth:.0f} MiB"


def test_a_model_within_the_budget_rebuilds_with_its_weights() -> None:
    """A small Embedding model, exactly at its parameter budget, comes back with its weights."""
    inputs = keras.Input((10,), dtype="int32")
    outputs = keras.layers.Dense(2)(
        keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(50, 8)(inputs))
    )
    model = keras.Model(inputs, outputs)
    rebuilt = rebuild_model(model.to_json(), model.get_weights(), max_parameters=418)
    for received, original in zip(rebuilt.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(received, original)


def test_a_model_over_the_memory_budget_is_refused_at_its_dtype() -> None:
    """1,000,000 float64 parameters need 7.6 MiB: refused with a 5 MiB budget, although the
    same model in float32 (3.8 MiB) fits and the parameter budget allows both."""
    budget = {"max_parameters": 2_000_000, "max_bytes": 5 * 2**20}
    wide = keras.Sequential([keras.Input((999,)), keras.layers.Dense(1000, dtype="float64")])
    with pytest.raises(NotRebuildable, match=r"the model has 7\.6 MiB of weights \(float64\)"):
        rebuild_model(wide.to_json(), [np.zeros((1,), "float64")], **budget)
    narrow = keras.Sequential([keras.Input((999,)), keras.layers.Dense(1000)])
    rebuilt = rebuild_model(narrow.to_json(), narrow.get_weights(), **budget)
    assert rebuilt.count_params() == 1_000_000


def test_weight_arrays_over_the_budget_are_refused_before_the_config_is_built() -> None:
    """Arrays sent with a small model are measured first: too many values are refused."""
    model = _model()
    weights = [np.zeros((1_000, 1_000), "float32"), *model.get_weights()[1:]]
    with pytest.raises(NotRebuildable, match="the weight arrays sent with the model hold"):
        rebuild_model(model.to_json(), weights, max_parameters=100_000)


def test_a_layer_with_huge_outputs_is_refused_before_predicting() -> None:
    """A config within the parameter budget whose layer outputs 400 million values per
    example (a forged RepeatVector) is refused before the grading process predicts."""
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.RepeatVector(10)])
    forged = model.to_json().replace('"n": 10', '"n": 100000000')
    with pytest.raises(NotRebuildable, match="400,000,000 values for each example"):
        rebuild_model(forged, [])


def test_a_functional_model_with_a_masking_embedding_rebuilds() -> None:
    """An Embedding with mask_zero=True in a Functional model writes its mask as a NotEqual
    operation into the config; that operation, from Keras's own module, is accepted (a right
    answer of week 6 used to fail as 'not a built-in Keras layer')."""
    tokens = keras.Input((6,), dtype="int64")
    vectors = keras.layers.Embedding(20, 4, mask_zero=True)(tokens)
    pooled = keras.layers.GlobalAveragePooling1D()(vectors)
    model = keras.Model(tokens, keras.layers.Dense(1, activation="sigmoid")(pooled))
    assert '"NotEqual"' in model.to_json()
    ids = np.array([[3, 5, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6]])
    rebuilt = rebuild_model(model.to_json(), model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(ids, verbose=0), model.predict(ids, verbose=0))


def test_an_operation_from_another_module_is_refused() -> None:
    """NotEqual is accepted only from Keras's numpy operations module."""
    config = {"class_name": "NotEqual", "module": "evil.module", "config": {}}
    with pytest.raises(NotRebuildable, match=r"evil\.module"):
        check_config(config)
