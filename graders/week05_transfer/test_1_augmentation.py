"""Week 5 grader, part 1: ``build_augmentation`` (exercise 5.1).

The worker builds the augmentation model once and calls it three times on Fashion-MNIST test
images chosen here, scaled to [0, 1]; drawn afresh at each grading
(``course.testing.fresh_rng``): how many (6 to 12) and which (any of the 10,000): with
``training=False`` (what ``predict`` and ``evaluate`` do), then twice with ``training=True``
(what ``fit`` does). It returns the three outputs; this process compares them with the
images. Exact answers, no thresholds of the grader's own beyond float tolerance: at
inference the output must equal the input (to 1e-5); in training it must differ from the
input and between the two calls (by more than 1e-3 somewhere).

A plain ``model(images)`` is not checked: outside ``fit``, Keras 3's random layers default
to ``training=True`` by design (so that they work in a ``tf.data`` pipeline).

Equivalent mutants:
    build_augmentation:remove-layer:Input - a Sequential of random layers without
        keras.Input takes its input shape when first called: the same augmentation.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.backbones import prepare_images
from course.datasets import fashion_mnist
from course.grading.reports import expect, expect_array
from course.grading.submission import Submission
from course.testing import fail, format_shape, fresh_rng

from .models import inspect_model

pytestmark = pytest.mark.visibility("visible")

BUILDER = "build_augmentation"
RANDOM_LAYERS = ("RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation")
TOLERANCE = 1e-5
CHANGED = 1e-3


@pytest.fixture(scope="module")
def images(submission: Submission) -> np.ndarray:
    _, (x_test, _) = fashion_mnist()
    rng = fresh_rng(submission, "build_augmentation images")
    chosen = rng.choice(len(x_test), size=int(rng.integers(6, 13)), replace=False)
    return prepare_images(x_test[np.sort(chosen)])


@pytest.fixture(scope="module")
def outputs(submission: Submission, images: np.ndarray) -> list[np.ndarray]:
    """The model's outputs with ``training=False``, ``True``, ``True``, in that order."""
    action = f"calling the model from {BUILDER}() on {len(images)} images"
    value = submission.probe(
        "model.call", action=action, builder=BUILDER, inputs=images, training=[False, True, True]
    )
    arrays = expect(value, dict, what="the model outputs").get("outputs")
    return [
        expect_array(array, what="an output", kinds="f")
        for array in expect(arrays, list, what="the model outputs")
    ]


def _difference(output: np.ndarray, images: np.ndarray, *, training: bool) -> float:
    """The largest pixel difference between ``output`` and ``images``, once the output has
    their shape."""
    if output.shape != images.shape:
        raise fail(
            f"the shape of the output with training={training}",
            expected=f"the input's shape, {format_shape(images.shape)}",
            received=format_shape(output.shape),
            hint="start with keras.Input(shape=(28, 28, 1)) and use only the random "
            "image layers, which keep the image size.",
        )
    return float(np.max(np.abs(output.astype(np.float64) - images.astype(np.float64))))


@pytest.mark.points(1)
def test_has_the_four_random_layers(submission: Submission) -> None:
    """the augmentation model has RandomFlip, RandomRotation, RandomZoom and RandomTranslation"""
    inspection = inspect_model(submission, BUILDER, action=f"{BUILDER}()")
    classes = [layer.class_name for layer in inspection.layers]
    missing = [name for name in RANDOM_LAYERS if name not in classes]
    if missing:
        raise fail(
            "the layers of the augmentation model",
            expected="to include " + ", ".join(missing),
            received=", ".join(classes) or "no layers",
            hint="put keras.layers.RandomFlip, RandomRotation, RandomZoom and "
            "RandomTranslation in a keras.Sequential.",
        )


@pytest.mark.points(2)
def test_identity_at_inference(outputs: list[np.ndarray], images: np.ndarray) -> None:
    """with training=False the augmentation returns the images unchanged"""
    difference = _difference(outputs[0], images, training=False)
    if difference > TOLERANCE:
        raise fail(
            "the output with training=False (as predict and evaluate call the model)",
            expected="the input images, unchanged",
            received=f"changed images (largest pixel difference {difference:.3g})",
            hint="augment only while training: the random layers do this by themselves, so "
            "do not pass training=True when you call them, and do not use tf.image.random_* "
            "functions.",
        )


@pytest.mark.points(2)
def test_random_in_training(outputs: list[np.ndarray], images: np.ndarray) -> None:
    """with training=True each call returns new random variants of the images"""
    first, second = outputs[1], outputs[2]
    if _difference(first, images, training=True) <= CHANGED:
        raise fail(
            "the output with training=True (as fit calls the model)",
            expected="augmented images, different from the input",
            received="the input images, unchanged",
            hint="use keras.layers.RandomFlip('horizontal'), RandomRotation(0.05), "
            "RandomZoom(0.1) and RandomTranslation(0.1, 0.1), with non-zero factors.",
        )
    if _difference(second, first, training=True) <= CHANGED:
        raise fail(
            "the outputs of two calls with training=True",
            expected="different random variants",
            received="the same images twice",
            hint="the random layers draw new values on every call: do not build a fixed "
            "transformation, and do not reset their seed on each call.",
        )
