"""The probes of models built from any argument form: call, inspect, build and train.

Week 5 hands its backbone to the submission as a ``model_spec`` and reads the layers of
nested models; these tests call the probes directly, on a module made from source text, as
the worker would call them on a submission.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from course.probes import inference
from course.probes.errors import InvalidReturn
from course.probes.markers import model_spec
from tests.probes.modules import module_from_source

keras = pytest.importorskip("keras")

MODELS = """
import keras


def dropout_model():
    inputs = keras.Input(shape=(4,))
    return keras.Model(inputs, keras.layers.Dropout(0.5)(inputs))


def nested(backbone):
    backbone.trainable = False
    inputs = keras.Input(shape=(3,))
    outputs = keras.layers.Dense(2, name="head")(backbone(inputs))
    return keras.Model(inputs, outputs)


def on_top(backbone, units):
    features = backbone.get_layer("hidden").output
    return keras.Model(backbone.input, keras.layers.Dense(units, name="head")(features))


def compiled(backbone, units):
    model = on_top(backbone, units)
    model.compile(optimizer="sgd", loss="mse")
    return model


def train(model, x, y):
    return model.fit(x, y, epochs=2, batch_size=2, verbose=0)


def train_without_history(model, x, y):
    model.fit(x, y, epochs=1, verbose=0)


def not_a_model():
    return "model"
"""


@pytest.fixture(scope="module")
def module() -> ModuleType:
    return module_from_source(MODELS)


@pytest.fixture(scope="module")
def backbone_spec() -> dict[str, Any]:
    """A two-layer functional model, as a grader passes its backbone: config and weights."""
    inputs = keras.Input(shape=(3,), name="image")
    hidden = keras.layers.Dense(4, name="hidden")(inputs)
    outputs = keras.layers.Dense(1, name="old_head")(hidden)
    model = keras.Model(inputs, outputs, name="backbone")
    weights = [np.full(w.shape, 0.25 * (i + 1), "float32") for i, w in enumerate(model.weights)]
    model.set_weights(weights)
    return model_spec(model.to_json(), weights)


def test_call_runs_the_model_once_per_training_flag(module: ModuleType) -> None:
    """training=False passes the input through Dropout; training=True drops about half."""
    inputs = np.ones((64, 4), "float32")
    reply = inference.call_model(
        module, builder="dropout_model", inputs=inputs, training=[False, True]
    )
    inference_output, training_output = reply["outputs"]
    np.testing.assert_array_equal(inference_output, inputs)
    dropped = float(np.mean(training_output == 0.0))
    assert 0.3 < dropped < 0.7


def test_inspect_opens_a_nested_frozen_backbone(
    module: ModuleType, backbone_spec: dict[str, Any]
) -> None:
    """Layers inside a nested model are listed with their path; freezing it freezes them."""
    reply = inference.inspect(module, builder="nested", args=[backbone_spec])
    by_name = {layer["name"]: layer for layer in reply["layers"]}
    assert by_name["hidden"]["path"] == "backbone/hidden"
    assert by_name["hidden"]["trainable_parameters"] == 0
    assert by_name["hidden"]["non_trainable_parameters"] == 3 * 4 + 4
    assert by_name["head"]["trainable_parameters"] == 1 * 2 + 2
    assert by_name["head"]["output_shape"] == [None, 2]


def test_inspect_keeps_the_graders_weights(
    module: ModuleType, backbone_spec: dict[str, Any]
) -> None:
    """The backbone rebuilt in the worker carries exactly the weights the grader sent."""
    reply = inference.inspect(module, builder="on_top", args=[backbone_spec, 3])
    hidden = next(layer for layer in reply["layers"] if layer["name"] == "hidden")
    np.testing.assert_array_equal(hidden["weights"][0], np.full((3, 4), 0.25, "float32"))
    flags = reply["model"]["weight_trainable"]
    assert len(flags) == len(reply["model"]["weights"])
    assert all(flags)  # nothing frozen here: every weight is trainable


def test_build_and_train_returns_the_trained_model_and_its_history(
    module: ModuleType, backbone_spec: dict[str, Any]
) -> None:
    """The trainer's History comes back per epoch, with the weights after training."""
    x = np.arange(12, dtype="float32").reshape(4, 3) / 12
    y = np.zeros((4, 2), "float32")
    reply = inference.build_and_train(
        module, builder="compiled", args=[backbone_spec, 2], trainer="train", x=x, y=y
    )
    assert reply["history"]["epochs"] == [0, 1]
    assert len(reply["history"]["history"]["loss"]) == 2
    hidden_after = reply["model"]["weights"][0]
    assert not np.array_equal(hidden_after, np.full((3, 4), 0.25, "float32"))


def test_build_and_train_refuses_a_trainer_without_history(
    module: ModuleType, backbone_spec: dict[str, Any]
) -> None:
    """A trainer that returns None is told to return what fit returns."""
    x = np.zeros((2, 3), "float32")
    with pytest.raises(InvalidReturn, match="History"):
        inference.build_and_train(
            module,
            builder="compiled",
            args=[backbone_spec, 2],
            trainer="train_without_history",
            x=x,
            y=np.zeros((2, 2), "float32"),
        )


def test_a_builder_that_returns_no_model_is_named(module: ModuleType) -> None:
    """The reply names the builder and the type it returned."""
    with pytest.raises(InvalidReturn, match=r"not_a_model\(\) returned a str, not a keras Model"):
        inference.inspect(module, builder="not_a_model")
