"""The custom-component probes: what they report about losses, layers, metrics and models.

The probes are called directly here, on a module made from source text, as the worker
would call them on a submission.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from course.probes import custom
from course.probes.errors import InvalidReturn
from tests.probes.modules import module_from_source

keras = pytest.importorskip("keras")

COMPONENTS = """
import keras


def make_mae():
    def mae(y_true, y_pred):
        return keras.ops.mean(keras.ops.abs(y_true - y_pred), axis=-1)

    return mae


class ScaledError(keras.losses.Loss):
    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, y_true, y_pred):
        return self.scale * keras.ops.mean(keras.ops.abs(y_true - y_pred), axis=-1)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


class Affine(keras.layers.Layer):
    def __init__(self, units=1, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1], self.units))

    def call(self, inputs):
        return keras.ops.matmul(inputs, self.w)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class Total(keras.metrics.Metric):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.total.assign_add(keras.ops.sum(y_pred))

    def result(self):
        return self.total

    def reset_state(self):
        self.total.assign(0.0)


class Twice(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs)


def build_heads(dict_outputs):
    inputs = keras.Input(shape=(3,))
    first = keras.layers.Dense(1, name="first")(inputs)
    second = keras.layers.Dense(1, activation="sigmoid", name="second")(inputs)
    outputs = {"first": first, "second": second} if dict_outputs else [first, second]
    model = keras.Model(inputs, outputs)
    model.compile(loss={"first": "mse", "second": "binary_crossentropy"})
    return model


def build_affine():
    model = keras.Sequential([keras.Input(shape=(2,)), Affine(1)])
    model.compile(optimizer="sgd", loss=ScaledError(2.0))
    return model


def save(model, path):
    model.save(path)


def save_nothing(model, path):
    pass


def load(path):
    return keras.models.load_model(
        path, custom_objects={"Affine": Affine, "ScaledError": ScaledError}
    )


def load_plain(path):
    return keras.models.load_model(path)


def not_a_loss():
    return 3
"""


@pytest.fixture(scope="module")
def module() -> ModuleType:
    return module_from_source(COMPONENTS)


def _pair() -> list[np.ndarray]:
    return [np.array([[1.0, 2.0], [0.0, 0.0]], "float32"), np.array([[0.0, 0.0]] * 2, "float32")]


def test_loss_probe_calls_a_closure_per_case(module: ModuleType) -> None:
    """A factory's loss function is called on each case; its per-sample values come back."""
    reply = custom.loss(module, factory="make_mae", cases=[_pair()])
    assert reply["is_loss_object"] is False
    np.testing.assert_allclose(reply["values"][0], [1.5, 0.0])


def test_loss_probe_round_trips_a_loss_class(module: ModuleType) -> None:
    """A Loss class is reduced over the batch and rebuilt from its config."""
    reply = custom.loss(
        module, factory="ScaledError", kwargs={"scale": 2.0}, cases=[_pair()], round_trip=True
    )
    assert reply["is_loss_object"] is True
    assert "Loss" in reply["class_chain"]
    assert reply["config"]["scale"] == 2.0
    np.testing.assert_allclose(reply["values"][0], 1.5)
    np.testing.assert_allclose(reply["round_trip_values"][0], 1.5)


def test_loss_probe_refuses_what_is_not_a_loss(module: ModuleType) -> None:
    """A factory that returns a number, or a closure asked for a config, is refused."""
    with pytest.raises(InvalidReturn):
        custom.loss(module, factory="not_a_loss", cases=[_pair()])
    with pytest.raises(InvalidReturn):
        custom.loss(module, factory="make_mae", cases=[_pair()], round_trip=True)


def test_layer_probe_reports_weights_outputs_and_rebuilt_weights(module: ModuleType) -> None:
    """After build: weight names and shapes; after a call: outputs and weight values."""
    x = np.ones((4, 3), "float32")
    reply = custom.layer(
        module,
        name="Affine",
        kwargs={"units": 2},
        input_shape=[None, 3],
        inputs=x,
        round_trip=True,
    )
    assert [(w["name"], w["shape"]) for w in reply["weights_after_build"]] == [("w", [3, 2])]
    weight = reply["weights"][0]["value"]
    np.testing.assert_allclose(reply["outputs"], x @ weight, rtol=1e-5)
    assert reply["config"]["units"] == 2
    assert [w["shape"] for w in reply["rebuilt_weights"]] == [[3, 2]]


def test_metric_probe_reports_the_result_after_each_step(module: ModuleType) -> None:
    """update_state and reset_state run in order; result() is read after each."""
    ones = np.ones((2, 1), "float32")
    steps = [{"update": [ones, ones]}, {"update": [ones, 2 * ones]}, {"reset": True}]
    reply = custom.metric(module, name="Total", steps=steps)
    assert [float(r) for r in reply["results"]] == [2.0, 6.0, 0.0]
    with pytest.raises(InvalidReturn):
        custom.metric(module, name="Affine", steps=steps)


def test_subclassed_probe_reports_outputs_and_trainable_variables(module: ModuleType) -> None:
    """A subclassed model is called once, which builds its variables."""
    reply = custom.subclassed(module, name="Twice", inputs=np.ones((5, 3), "float32"))
    assert reply["class_chain"][0] == "Twice"
    assert reply["outputs"].shape == (5, 2)
    assert [v["shape"] for v in reply["trainable_variables"]] == [[3, 2], [2]]


@pytest.mark.parametrize("dict_outputs", [True, False])
def test_heads_probe_names_predictions_and_evaluates(
    module: ModuleType, dict_outputs: bool
) -> None:
    """List and dict outputs both come back by name, with one loss per output."""
    x = np.ones((4, 3), "float32")
    targets = {"first": np.zeros((4, 1), "float32"), "second": np.ones((4, 1), "float32")}
    reply = custom.heads(
        module, builder="build_heads", args=[dict_outputs], inputs=x, targets=targets
    )
    assert sorted(reply["output_names"]) == ["first", "second"]
    assert set(reply["predictions"]) == {"first", "second"}
    mse = float(np.mean(reply["predictions"]["first"] ** 2))
    assert reply["evaluation"]["first_loss"] == pytest.approx(mse, rel=1e-4)
    unknown = custom.heads(
        module,
        builder="build_heads",
        args=[dict_outputs],
        inputs=x,
        targets={"other": targets["first"]},
    )
    assert unknown["evaluation"] is None


def test_save_and_load_probe_round_trips_in_the_working_directory(
    module: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file lands in the working directory; classes and predictions come back."""
    monkeypatch.chdir(tmp_path)
    inputs = np.arange(6, dtype="float32").reshape(3, 2)
    reply = custom.save_and_load(
        module, builder="build_affine", saver="save", loader="load", inputs=inputs
    )
    assert reply["saved"] is True
    assert list(tmp_path.glob("saved-*/model.keras"))
    np.testing.assert_allclose(reply["predictions_after"], reply["predictions_before"])
    assert {"class_name": "Affine", "module": "submission", "is_submission_class": True} in (
        reply["layers_after"]
    )
    assert reply["loss_after"]["class_name"] == "ScaledError"
    assert reply["loss_after"]["is_submission_class"] is True


def test_save_and_load_probe_reports_what_went_wrong(
    module: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file written: nothing is loaded; a loader that raises: its error comes back."""
    monkeypatch.chdir(tmp_path)
    inputs = np.ones((2, 2), "float32")
    nothing = custom.save_and_load(
        module, builder="build_affine", saver="save_nothing", loader="load", inputs=inputs
    )
    assert nothing["saved"] is False
    assert nothing["predictions_after"] is None
    failed = custom.save_and_load(
        module, builder="build_affine", saver="save", loader="load_plain", inputs=inputs
    )
    assert failed["load_error"]["type"]
    assert "Affine" in failed["load_error"]["message"]
    assert failed["predictions_after"] is None
