"""The week 5 graders' view of models: the course's pretrained backbone, and a submitted
model's layers with nested models opened up.

The backbone (``course.backbones``) is loaded in the grading process, from the course cache
(trained there once by ``python -m course.backbones``). It reaches the submission only as a
``model_spec``: config and weights that the worker rebuilds into a Keras model. A submitted
model comes back from the worker as a description (:func:`inspect_model`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from course.backbones import FEATURE_LAYER, fresh_weights, pretrained_backbone
from course.grading.rebuild import rebuild_model
from course.grading.reports import ModelReport, expect, expect_array
from course.grading.submission import Submission, model_spec


@dataclass(frozen=True)
class Backbone:
    """The pretrained backbone as the grader knows it."""

    config_json: str
    weights: tuple[np.ndarray, ...]
    #: Layer names in order, input layer left out: conv1, pool1, ..., features, predictions.
    layer_names: tuple[str, ...]
    #: Each layer's pretrained weight arrays, by name.
    layer_weights: dict[str, tuple[np.ndarray, ...]]
    #: The output shape of the cut layer, ``FEATURE_LAYER``: ``(None, 288)``.
    feature_shape: tuple[int | None, ...]

    @property
    def spec(self) -> dict[str, Any]:
        """The backbone as an argument that the worker rebuilds into a Keras model."""
        return model_spec(self.config_json, list(self.weights))

    def with_weights(self, weights: Sequence[np.ndarray]) -> Backbone:
        """The same backbone with other weights, given in the order of :attr:`weights`."""
        arrays = tuple(np.asarray(w, dtype=np.float32) for w in weights)
        taken = iter(arrays)
        layer_weights = {
            name: tuple(next(taken) for _ in self.layer_weights[name]) for name in self.layer_names
        }
        return replace(self, weights=arrays, layer_weights=layer_weights)

    def untrained_spec(self, seed: int) -> dict[str, Any]:
        """The same backbone with fresh weights, as built and never trained, as an argument
        for the worker: the counterpart that shows what the pretrained weights are worth."""
        return model_spec(self.config_json, fresh_weights(self.weights, seed=seed))

    @property
    def kept_layers(self) -> tuple[str, ...]:
        """The layers a transfer model keeps: the input up to and including the cut."""
        return self.layer_names[: self.layer_names.index(FEATURE_LAYER) + 1]

    @property
    def feature_parameters(self) -> int:
        """Parameters from the input up to and including the cut layer."""
        return sum(w.size for name in self.kept_layers for w in self.layer_weights[name])

    def head_parameters(self, num_classes: int) -> int:
        """Parameters of ``Dense(num_classes)`` on the features."""
        width = int(np.prod([d for d in self.feature_shape if d is not None]))
        return width * num_classes + num_classes


def load_backbone() -> Backbone:
    """The course's pretrained backbone (``course.backbones``), read from the course cache."""
    config_json, weights = pretrained_backbone()
    model = rebuild_model(config_json, weights)
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    return Backbone(
        config_json=config_json,
        weights=tuple(weights),
        layer_names=tuple(str(layer.name) for layer in layers),
        layer_weights={
            str(layer.name): tuple(np.asarray(w) for w in layer.get_weights()) for layer in layers
        },
        feature_shape=tuple(model.get_layer(FEATURE_LAYER).output.shape),
    )


@dataclass(frozen=True)
class Layer:
    """One layer of a submitted model, nested models opened up (the ``model.inspect`` probe)."""

    name: str
    class_name: str
    output_shape: tuple[int | None, ...] | None
    #: Parameters the optimizer would update, and all of them (trainable or not).
    trainable_parameters: int
    parameters: int
    weights: tuple[np.ndarray, ...]

    @classmethod
    def from_plain(cls, data: object) -> Layer:
        fields: dict[str, Any] = expect(data, dict, what="a layer description")
        shape = fields.get("output_shape")
        if shape is not None:
            shape = tuple(
                None if d is None else expect(d, int, what="a dimension")
                for d in expect(shape, list, what="an output shape")
            )
        trainable = expect(fields.get("trainable_parameters"), int, what="a count")
        frozen = expect(fields.get("non_trainable_parameters"), int, what="a count")
        return cls(
            name=expect(fields.get("name"), str, what="a layer name"),
            class_name=expect(fields.get("class_name"), str, what="a layer class"),
            output_shape=shape,
            trainable_parameters=trainable,
            parameters=trainable + frozen,
            weights=tuple(
                expect_array(w, what="a layer weight", kinds="f")
                for w in expect(fields.get("weights"), list, what="the layer weights")
            ),
        )


@dataclass(frozen=True)
class Inspection:
    """A submitted model: the usual report, and its layers with nested models opened up."""

    model: ModelReport
    layers: tuple[Layer, ...]

    @staticmethod
    def names(layers: list[Layer]) -> str:
        """``conv1, conv2``, or ``none``."""
        return ", ".join(layer.name for layer in layers) or "none"


def inspect_model(submission: Submission, builder: str, *args: object, action: str) -> Inspection:
    """``builder(*args)`` built in the worker, and its description read (the
    ``model.inspect`` probe)."""
    value = submission.probe("model.inspect", action=action, builder=builder, args=list(args))
    description = expect(value, dict, what="the model description")
    layers = expect(description.get("layers"), list, what="the layers")
    model = ModelReport.from_plain(description.get("model"))
    return Inspection(model, tuple(Layer.from_plain(layer) for layer in layers))
