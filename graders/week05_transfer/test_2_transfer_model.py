"""Week 5 grader, part 2: ``build_transfer_model(backbone, num_classes)`` (exercise 5.2).

The grader hands the course's pretrained backbone (``course.backbones``) to the submission as
a Keras model, built in the worker from its config and weights. The worker describes the
model the submission returns, nested models opened up: each layer's name, output shape,
weights and how many of its parameters the optimizer would update. This process judges the
description against the backbone it holds:

* the cut: the last backbone layer in the model is ``features``, output shape (None, 288);
* frozen: no parameter of the kept backbone layers is trainable;
* pretrained: the kept backbone layers carry the backbone's weights, unchanged;
* the counts, from the weight arrays and their flags: 288 * 5 + 5 = 1,445 trainable (the
  head) and the backbone's 14,048 up to the cut non-trainable;
* the head: the output is (None, num_classes) probabilities for 5 and for 3 classes (the
  probabilities are computed here, on the model rebuilt from its config and weights);
* compiled for integer labels with the accuracy metric.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.backbones import FEATURE_LAYER, prepare_images
from course.grading.rebuild import NotRebuildable, rebuild_model
from course.testing import check_output_shape, fail, format_shape

BUILDER = "build_transfer_model"
SAMPLE = prepare_images(np.random.default_rng(5).integers(0, 256, size=(16, 28, 28)))
_ACCURACY_NAMES = ("accuracy", "acc", "sparse_categorical_accuracy")
_CUT_HINT = (
    "cut at the feature layer: new_output = head(backbone.get_layer('features').output), "
    "then keras.Model(backbone.input, new_output); not at backbone.output (the old "
    "classifier) and not at the input."
)


@pytest.fixture(scope="module")
def transfer(inspect_model: Any, backbone: Any) -> Any:
    return inspect_model(BUILDER, backbone.spec, 5, action=f"{BUILDER}(backbone, 5)")


def _kept(transfer: Any, backbone: Any) -> list[Any]:
    """The model's backbone layers, from the input up to the cut, as the grader expects."""
    return [
        layer for layer in transfer.backbone_layers(backbone) if layer.name in backbone.kept_layers
    ]


@pytest.mark.points(2)
def test_cuts_at_the_feature_layer(transfer: Any, backbone: Any) -> None:
    """the model keeps the backbone up to its 'features' layer, output shape (None, 288)"""
    layers = transfer.backbone_layers(backbone)
    expected = f"'{FEATURE_LAYER}', output shape {format_shape(backbone.feature_shape)}"
    what = "the last backbone layer in the model (where the backbone is cut)"
    if not layers:
        raise fail(what, expected=expected, received="no backbone layer at all", hint=_CUT_HINT)
    last = layers[-1]
    if last.name != FEATURE_LAYER or last.output_shape != backbone.feature_shape:
        raise fail(
            what,
            expected=expected,
            received=f"'{last.name}', output shape {format_shape(last.output_shape)}",
            hint=_CUT_HINT,
        )
    present = {layer.name for layer in layers}
    missing = [name for name in backbone.kept_layers if name not in present]
    if missing:
        raise fail(
            "the backbone layers in the model",
            expected=", ".join(backbone.kept_layers),
            received=transfer.names(layers),
            hint="keep every backbone layer from the input up to 'features': build on "
            "backbone.get_layer('features').output.",
        )


@pytest.mark.points(2)
def test_backbone_is_frozen(transfer: Any, backbone: Any) -> None:
    """no parameter of the backbone's layers is trainable"""
    kept = _kept(transfer, backbone)
    if not kept:
        raise fail(
            "the frozen backbone layers in the model",
            expected=", ".join(backbone.kept_layers),
            received="no backbone layer",
            hint=_CUT_HINT,
        )
    trainable = [layer for layer in kept if layer.trainable_parameters > 0]
    if trainable:
        raise fail(
            "the trainable backbone layers",
            expected="none: the backbone is frozen",
            received=transfer.names(trainable),
            hint="set backbone.trainable = False before you build the model, so that "
            "training changes only the new head.",
        )


@pytest.mark.points(1)
def test_keeps_the_pretrained_weights(transfer: Any, backbone: Any) -> None:
    """the backbone's layers keep their pretrained weights"""
    kept = _kept(transfer, backbone)
    if not kept:
        raise fail(
            "the pretrained backbone layers in the model",
            expected=", ".join(backbone.kept_layers),
            received="none",
            hint=_CUT_HINT,
        )
    for layer in kept:
        pretrained = backbone.layer_weights[layer.name]
        same = len(layer.weights) == len(pretrained) and all(
            w.shape == p.shape and np.allclose(w, p, rtol=0.0, atol=1e-6)
            for w, p in zip(layer.weights, pretrained, strict=True)
        )
        if not same:
            raise fail(
                f"the weights of the layer '{layer.name}'",
                expected="the pretrained backbone's weights",
                received="different weights",
                hint="reuse the backbone's own layers (backbone.get_layer(...).output); "
                "keras.models.clone_model and model_from_json make new, random weights.",
            )


@pytest.mark.points(2)
def test_parameter_counts(transfer: Any, backbone: Any) -> None:
    """only the head's parameters are trainable; the backbone's up to the cut are not"""
    model = transfer.model
    trainable = model.trainable_parameter_count
    frozen = model.parameter_count - trainable
    expected_trainable = backbone.head_parameters(5)
    if trainable != expected_trainable:
        raise fail(
            "the number of trainable parameters",
            expected=f"{expected_trainable:,} (the head: Dense(5) on "
            f"{backbone.feature_shape[-1]} features)",
            received=f"{trainable:,}",
            hint="freeze the backbone (backbone.trainable = False), cut it at 'features' and "
            "add a single Dense(num_classes, activation='softmax') on top.",
        )
    if frozen != backbone.feature_parameters:
        raise fail(
            "the number of non-trainable parameters",
            expected=f"{backbone.feature_parameters:,} (the backbone up to 'features')",
            received=f"{frozen:,}",
            hint=_CUT_HINT,
        )


@pytest.mark.points(1)
def test_head_outputs_one_probability_per_class(
    transfer: Any, inspect_model: Any, backbone: Any
) -> None:
    """the model outputs num_classes probabilities per image, for 5 and for 3 classes"""
    three = inspect_model(BUILDER, backbone.spec, 3, action=f"{BUILDER}(backbone, 3)")
    for inspection, classes in ((transfer, 5), (three, 3)):
        hint = "end with keras.layers.Dense(num_classes, activation='softmax')."
        check_output_shape(inspection.model, (None, classes), hint=hint)
        try:
            rebuilt = rebuild_model(inspection.model.config_json, inspection.model.weights)
        except NotRebuildable as error:
            raise fail(
                "the model", expected="built from standard Keras layers", received=error
            ) from None
        sums = np.asarray(rebuilt.predict(SAMPLE, verbose=0)).sum(axis=1)
        if not np.allclose(sums, 1.0, atol=1e-3):
            raise fail(
                f"the sum of each row of predictions with num_classes={classes}",
                expected="1 (probabilities)",
                received=f"sums from {float(sums.min()):.4g} to {float(sums.max()):.4g}",
                hint=hint,
            )


@pytest.mark.points(1)
def test_compiled_for_integer_labels(transfer: Any) -> None:
    """the model is compiled with sparse categorical cross-entropy and the accuracy metric"""
    model = transfer.model
    if not model.compiled:
        raise fail(
            f"the model from {BUILDER}()",
            expected="compiled",
            received="a model that is not compiled",
            hint="call model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', "
            "metrics=['accuracy']) before returning it.",
        )
    if model.loss_name != "sparse_categorical_crossentropy":
        raise fail(
            "the loss",
            expected="sparse categorical cross-entropy",
            received=model.loss_name or "no recognisable loss",
            hint="the labels are integers 0 .. num_classes - 1: use "
            "loss='sparse_categorical_crossentropy'.",
        )
    if not any(name in _ACCURACY_NAMES for name in model.metric_names):
        raise fail(
            "the metrics given to compile()",
            expected="to include accuracy",
            received=", ".join(model.metric_names) or "no metrics",
            hint="pass metrics=['accuracy'] to model.compile.",
        )
