"""Week 5 grader, part 2: ``build_transfer_model(backbone, num_classes)`` (exercise 5.2).

The grader hands the course's pretrained backbone (``course.backbones``) to the submission as
a Keras model, built in the worker from its config and weights. The worker describes the
model the submission returns, nested models opened up: each layer's name, output shape,
weights and how many of its parameters the optimizer would update. This process judges the
description against the backbone it handed over:

* the cut: the last backbone layer in the model is ``features``, output shape (None, 288);
* frozen: no parameter of the kept backbone layers is trainable;
* the given weights: the kept backbone layers carry the weights of the backbone handed over,
  unchanged;
* the counts, from the weight arrays and their flags: 288 * k + k trainable (the head, for
  k classes) and the backbone's 14,048 up to the cut non-trainable;
* the head: the output is (None, num_classes) probabilities for two numbers of classes (the
  probabilities are computed here, on the model rebuilt from its config and weights);
* compiled for integer labels with the accuracy metric.

Drawn afresh at each grading (``course.testing.fresh_rng``): the backbone's weights, every
pretrained weight multiplied by a factor of its own in [0.9, 1.1], so that a model which
ignores the backbone it is given (a copy of the course's backbone loaded or written into the
submission) fails the weights check; ``num_classes``, two different numbers from 2 to 12 (the
first one for every check, the second for the head's output too); the images the rebuilt
models predict here (8 to 32, values in [0, 1] on the grid of 1/255). Part 4 trains on the
pretrained backbone itself, unvaried, as its thresholds were measured.

Equivalent mutants:
    build_transfer_model:default-argument:learning_rate - Adam(learning_rate=1e-3) and
        Adam() are the same optimizer: 1e-3 is Keras's default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from course.backbones import FEATURE_LAYER, prepare_images
from course.grading.submission import Submission
from course.testing import (
    check_close,
    check_compiled,
    check_output_shape,
    fail,
    format_shape,
    fresh_rng,
    predictions_of,
)

from .models import Backbone, Inspection, Layer, inspect_model

pytestmark = pytest.mark.visibility("visible")

BUILDER = "build_transfer_model"
_CUT_HINT = (
    "cut at the feature layer: new_output = head(backbone.get_layer('features').output), "
    "then keras.Model(backbone.input, new_output); not at backbone.output (the old "
    "classifier) and not at the input."
)


@dataclass(frozen=True)
class Given:
    """What build_transfer_model receives in this grading: the backbone handed over, the
    two numbers of classes, and the images its models predict here."""

    backbone: Backbone
    classes: tuple[int, int]
    sample: np.ndarray


@pytest.fixture(scope="module")
def given(submission: Submission, backbone: Backbone) -> Given:
    rng = fresh_rng(submission, "build_transfer_model")
    weights = [w * rng.uniform(0.9, 1.1, size=w.shape) for w in backbone.weights]
    first, second = (int(n) for n in rng.choice(np.arange(2, 13), size=2, replace=False))
    images = rng.integers(0, 256, size=(int(rng.integers(8, 33)), 28, 28))
    return Given(backbone.with_weights(weights), (first, second), prepare_images(images))


def _inspect(submission: Submission, given: Given, classes: int) -> Inspection:
    """``build_transfer_model(backbone, classes)`` on the backbone handed over."""
    action = f"{BUILDER}(backbone, {classes})"
    return inspect_model(submission, BUILDER, given.backbone.spec, classes, action=action)


@pytest.fixture(scope="module")
def transfer(submission: Submission, given: Given) -> Inspection:
    return _inspect(submission, given, given.classes[0])


def _kept(transfer: Inspection, backbone: Backbone, *, what: str) -> list[Layer]:
    """The model's backbone layers, from the input up to the cut, as the grader expects;
    fails naming ``what`` when there is none."""
    kept = [layer for layer in transfer.layers if layer.name in backbone.kept_layers]
    if not kept:
        raise fail(
            f"the {what} backbone layers in the model",
            expected=", ".join(backbone.kept_layers),
            received="none",
            hint=_CUT_HINT,
        )
    return kept


@pytest.mark.points(2)
def test_cuts_at_the_feature_layer(transfer: Inspection, given: Given) -> None:
    """the model keeps the backbone up to its 'features' layer, output shape (None, 288)"""
    backbone = given.backbone
    layers = [layer for layer in transfer.layers if layer.name in backbone.layer_names]
    last = layers[-1] if layers else None
    if last is None or last.name != FEATURE_LAYER or last.output_shape != backbone.feature_shape:
        raise fail(
            "the last backbone layer in the model (where the backbone is cut)",
            expected=f"'{FEATURE_LAYER}', output shape {format_shape(backbone.feature_shape)}",
            received="no backbone layer at all"
            if last is None
            else f"'{last.name}', output shape {format_shape(last.output_shape)}",
            hint=_CUT_HINT,
        )
    if not set(backbone.kept_layers) <= {layer.name for layer in layers}:
        raise fail(
            "the backbone layers in the model",
            expected=", ".join(backbone.kept_layers),
            received=transfer.names(layers),
            hint="keep every backbone layer from the input up to 'features': build on "
            "backbone.get_layer('features').output.",
        )


@pytest.mark.points(2)
def test_backbone_is_frozen(transfer: Inspection, given: Given) -> None:
    """no parameter of the backbone's layers is trainable"""
    kept = _kept(transfer, given.backbone, what="frozen")
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
def test_keeps_the_pretrained_weights(transfer: Inspection, given: Given) -> None:
    """the backbone's layers keep the pretrained weights they were given"""
    for layer in _kept(transfer, given.backbone, what="pretrained"):
        pretrained = given.backbone.layer_weights[layer.name]
        same = len(layer.weights) == len(pretrained) and all(
            w.shape == p.shape and np.allclose(w, p, rtol=0.0, atol=1e-6)
            for w, p in zip(layer.weights, pretrained, strict=True)
        )
        if not same:
            raise fail(
                f"the weights of the layer '{layer.name}'",
                expected="the weights of the backbone given to build_transfer_model (the "
                "grader varies them at each grading)",
                received="different weights",
                hint="reuse the backbone's own layers (backbone.get_layer(...).output); "
                "keras.models.clone_model and model_from_json make new, random weights, and a "
                "backbone of your own is not the one given.",
            )


@pytest.mark.points(2)
def test_parameter_counts(transfer: Inspection, given: Given) -> None:
    """only the head's parameters are trainable; the backbone's up to the cut are not"""
    backbone, classes, model = given.backbone, given.classes[0], transfer.model
    trainable, head = model.trainable_parameter_count, backbone.head_parameters(classes)
    if trainable != head:
        raise fail(
            "the number of trainable parameters",
            expected=f"{head:,} (the head: Dense({classes}) on "
            f"{backbone.feature_shape[-1]} features)",
            received=f"{trainable:,}",
            hint="freeze the backbone (backbone.trainable = False), cut it at 'features' and "
            "add a single Dense(num_classes, activation='softmax') on top.",
        )
    frozen = model.parameter_count - trainable
    if frozen != backbone.feature_parameters:
        raise fail(
            "the number of non-trainable parameters",
            expected=f"{backbone.feature_parameters:,} (the backbone up to 'features')",
            received=f"{frozen:,}",
            hint=_CUT_HINT,
        )


@pytest.mark.points(1)
def test_head_outputs_one_probability_per_class(
    transfer: Inspection, submission: Submission, given: Given
) -> None:
    """the model outputs num_classes probabilities per image, for two numbers of classes"""
    first, second = given.classes
    hint = "end with keras.layers.Dense(num_classes, activation='softmax')."
    for inspection, classes in ((transfer, first), (_inspect(submission, given, second), second)):
        check_output_shape(inspection.model, (None, classes), hint=hint)
        check_close(
            predictions_of(inspection.model, given.sample, what="the model").sum(axis=1),
            np.ones(len(given.sample)),
            f"the sum of each row of predictions (probabilities) with num_classes={classes}",
            atol=1e-3,
            hint=hint,
        )


@pytest.mark.points(1)
def test_compiled_for_integer_labels(transfer: Inspection) -> None:
    """the model is compiled with sparse categorical cross-entropy and the accuracy metric"""
    check_compiled(
        transfer.model,
        loss="sparse_categorical_crossentropy",
        what=f"the model from {BUILDER}()",
        compile_hint="call model.compile(optimizer='adam', "
        "loss='sparse_categorical_crossentropy', metrics=['accuracy']): the labels are the "
        "integers 0 .. num_classes - 1.",
    )
