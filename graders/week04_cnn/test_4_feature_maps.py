"""Week 4 grader, part 4: feature-map shapes with "valid" and "same" padding (exercise 4.4).

The worker builds ``build_feature_extractor("valid")`` and ``build_feature_extractor("same")``
and returns their configs and weights. Each is rebuilt here, and the output shape of every
layer is read from the rebuilt model, never from the worker's own description of its layers:
a model that cannot be rebuilt (a Lambda layer, a custom class) fails the feature-map
checks. Activation layers (``Activation``, ``ReLU``) keep the shape and are
left out of the comparison, so ``Conv2D`` followed by ``Activation("relu")`` is accepted.
Exact answers: the shapes follow from the arithmetic of padding, 5x5 kernels and 2x2 pooling.
The shapes are those of the rebuilt layers' outputs for an image, computed layer by layer, so
a model built without ``keras.Input`` is measured too.

The ReLU check computes here, for images drawn afresh at each grading
(``course.testing.fresh_rng``: 2 to 8 images of values in [0, 1)), what the five layers the
exercise lists give with the submission's own kernels and biases, and compares it with the
rebuilt model's output (to 1e-4): a convolution without its ``activation="relu"`` (or with
another activation) changes no shape and no parameter count, and fails only this check.
The padding argument itself is the only other input, and the contract allows exactly the two
values asked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import (
    check_parameter_count,
    describe_error,
    fail,
    format_shape,
    fresh_rng,
    rebuilt_model,
)

pytestmark = pytest.mark.visibility("visible")

BUILDER = "build_feature_extractor"
Shape = tuple[int | None, ...]
FeatureMaps = list[tuple[str, Shape | None]]
Output = tuple[str, np.ndarray]
LAYERS = ("ZeroPadding2D", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D")
#: The output shape of each of ``LAYERS`` (without the batch dimension), for each padding.
SHAPES = {
    "valid": [(32, 32, 1), (28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16)],
    "same": [(32, 32, 1), (32, 32, 6), (16, 16, 6), (16, 16, 16), (8, 8, 16)],
}
PARAMETERS = (5 * 5 * 1 * 6 + 6) + (5 * 5 * 6 * 16 + 16)  # 2,572
_SHAPE_KEEPING = frozenset({"InputLayer", "Activation", "ReLU"})
_HINTS = {
    "valid": "with padding='valid' a 5x5 filter fits 32 - 5 + 1 = 28 times across 32 pixels; "
    "pass the padding argument to both Conv2D layers.",
    "same": "with padding='same' the convolution pads its input so that 32x32 stays 32x32; "
    "pass the padding argument to both Conv2D layers, not a fixed 'valid'.",
}


@pytest.fixture(scope="module")
def extractors(submission: Submission) -> dict[str, ModelReport]:
    return {padding: submission.model(BUILDER, padding) for padding in SHAPES}


def _run_layers(model: Any, images: np.ndarray, *, call: str) -> list[Output]:
    """Each layer's class and output for ``images``, run layer by layer through ``model``
    (so a model built without ``keras.Input`` is measured as well: it makes its weights)."""
    outputs: list[Output] = []
    value = images
    try:
        for layer in model.layers:
            value = layer(value)
            outputs.append((type(layer).__name__, np.asarray(value)))
    except Exception as error:
        raise fail(
            f"the layers of {call}",
            expected="layers that take a batch of (28, 28, 1) images",
            received=describe_error(error),
            hint="start with keras.Input(shape=(28, 28, 1)) and use the five layers listed.",
        ) from None
    return outputs


def feature_maps(report: ModelReport, *, call: str) -> FeatureMaps:
    """Each layer's class and output shape (batch dimension ``None``), from the model
    rebuilt here."""
    image = np.zeros((1, 28, 28, 1), dtype=np.float32)
    return [
        (kind, (None, *output.shape[1:]))
        for kind, output in _run_layers(
            rebuilt_model(report, what=f"the model from {call}"), image, call=call
        )
        if kind not in _SHAPE_KEEPING
    ]


def _listing(maps: FeatureMaps) -> str:
    return ", ".join(f"{kind} {format_shape(shape)}" for kind, shape in maps) or "no layers"


def _check_feature_maps(report: ModelReport, padding: str) -> None:
    call = f"{BUILDER}({padding!r})"
    received = feature_maps(report, call=call)
    if [kind for kind, _ in received] != list(LAYERS):
        raise fail(
            f"the layers of {call} after its input",
            expected=", ".join(LAYERS),
            received=_listing(received),
            hint="use exactly the five layers the exercise lists, in that order.",
        )
    for index, ((kind, shape), wanted) in enumerate(
        zip(received, SHAPES[padding], strict=True), start=1
    ):
        if shape != (None, *wanted):
            raise fail(
                f"the output shape of layer {index} ({kind}) of {call}",
                expected=format_shape((None, *wanted)),
                received=f"{format_shape(shape)} (every layer: {_listing(received)})",
                hint=_HINTS[padding],
            )


@pytest.mark.points(1)
def test_zero_padding_grows_28_to_32(extractors: dict[str, ModelReport]) -> None:
    """the extractor starts with ZeroPadding2D(2): 28x28 becomes 32x32"""
    for padding, report in extractors.items():
        maps = feature_maps(report, call=f"{BUILDER}({padding!r})")
        first = maps[0] if maps else ("no layer", None)
        if first != ("ZeroPadding2D", (None, 32, 32, 1)):
            raise fail(
                f"the first layer of {BUILDER}({padding!r}) and its output shape",
                expected="ZeroPadding2D (None, 32, 32, 1)",
                received=f"{first[0]} {format_shape(first[1])}",
                hint="keras.layers.ZeroPadding2D(2) adds 2 rows of zeros at the top and the "
                "bottom and 2 columns on each side: 28 + 2 + 2 = 32.",
            )


@pytest.mark.points(2)
def test_valid_padding_feature_maps(extractors: dict[str, ModelReport]) -> None:
    """with padding="valid", every feature map has the right shape, down to (5, 5, 16)"""
    _check_feature_maps(extractors["valid"], "valid")


@pytest.mark.points(2)
def test_same_padding_feature_maps(extractors: dict[str, ModelReport]) -> None:
    """with padding="same", every feature map has the right shape, down to (8, 8, 16)"""
    _check_feature_maps(extractors["same"], "same")


@pytest.mark.points(1)
def test_parameters_do_not_depend_on_padding(extractors: dict[str, ModelReport]) -> None:
    """the extractor has 2,572 parameters with either padding"""
    for report in extractors.values():
        check_parameter_count(
            report,
            exactly=PARAMETERS,
            hint="Conv2D(6, 5) on 1 channel has 5*5*1*6 + 6 = 156 parameters and "
            "Conv2D(16, 5) on 6 channels 5*5*6*16 + 16 = 2,416; padding changes the shapes, "
            "not the number of weights. Add no other layer.",
        )


def _listed_layers_output(submitted: Any, images: np.ndarray, *, call: str) -> np.ndarray:
    """What the five listed layers compute for ``images`` with the kernels, biases and
    paddings of ``submitted`` (the rebuilt model): the grader's own LeNet-5 extractor. The
    paddings are the submission's own, so that only the activations are judged here."""
    import keras

    paddings = [layer.padding for layer in submitted.layers if type(layer).__name__ == "Conv2D"]
    if len(paddings) != 2:
        raise fail(
            f"the Conv2D layers of {call}",
            expected="2",
            received=str(len(paddings)),
            hint="fix the layers first (see the feature-map checks).",
        )
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.ZeroPadding2D(2),
            keras.layers.Conv2D(6, 5, padding=paddings[0], activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(16, 5, padding=paddings[1], activation="relu"),
            keras.layers.MaxPooling2D(2),
        ]
    )
    try:  # the same number of weights of the same shapes, or a ValueError
        model.set_weights(submitted.get_weights())
    except ValueError as error:
        raise fail(
            f"the weights of {call}",
            expected="two Conv2D layers' kernels and biases, and nothing else",
            received=describe_error(error),
            hint="fix the layers first (see the feature-map checks).",
        ) from None
    return np.asarray(model(images))


@pytest.mark.points(1)
def test_convolutions_apply_relu(
    submission: Submission, extractors: dict[str, ModelReport]
) -> None:
    """each convolution applies ReLU, as the exercise lists"""
    rng = fresh_rng(submission, "feature-map images")
    images = rng.random((int(rng.integers(2, 9)), 28, 28, 1), dtype=np.float32)
    for padding, report in extractors.items():
        call = f"{BUILDER}({padding!r})"
        model = rebuilt_model(report, what=f"the model from {call}")
        received = _run_layers(model, images, call=call)[-1][1]
        expected = _listed_layers_output(model, images, call=call)
        if received.shape != expected.shape or not np.allclose(received, expected, atol=1e-4):
            raise fail(
                f"the feature maps of {call} for {len(images)} images drawn here",
                expected="what ZeroPadding2D(2), Conv2D(6, 5, activation='relu'), "
                "MaxPooling2D(2), Conv2D(16, 5, activation='relu'), MaxPooling2D(2) compute "
                "with your kernels",
                received=f"outputs that differ by up to {np.max(np.abs(received - expected)):.3g}"
                if received.shape == expected.shape
                else f"outputs of shape {format_shape(received.shape)}",
                hint="give both Conv2D layers activation='relu' (a negative response is cut "
                "to 0 before pooling).",
            )
