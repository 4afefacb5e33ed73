"""Week 4 grader, part 4: feature-map shapes with "valid" and "same" padding (exercise 4.4).

The worker builds ``build_feature_extractor("valid")`` and ``build_feature_extractor("same")``
and returns their configs and weights. Each is rebuilt here, and the output shape of every
layer is read from the rebuilt model, never from the worker's own description of its layers:
a model that cannot be rebuilt (a Lambda layer, a custom class) fails the feature-map
checks. Activation layers (``Activation``, ``ReLU``) keep the shape and are
left out of the comparison, so ``Conv2D`` followed by ``Activation("relu")`` is accepted.
Exact answers: the shapes follow from the arithmetic of padding, 5x5 kernels and 2x2 pooling.

Nothing here is drawn per grading: the only input is ``padding``, and the contract allows
exactly two values, both asked; the input shape (28, 28, 1) is fixed by the contract, and the
shapes are read from the models rebuilt here, never from the worker.
"""

from __future__ import annotations

import pytest

from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import check_parameter_count, fail, format_shape, rebuilt_model

BUILDER = "build_feature_extractor"
Shape = tuple[int | None, ...]
FeatureMaps = list[tuple[str, Shape | None]]
EXPECTED: dict[str, FeatureMaps] = {
    "valid": [
        ("ZeroPadding2D", (None, 32, 32, 1)),
        ("Conv2D", (None, 28, 28, 6)),
        ("MaxPooling2D", (None, 14, 14, 6)),
        ("Conv2D", (None, 10, 10, 16)),
        ("MaxPooling2D", (None, 5, 5, 16)),
    ],
    "same": [
        ("ZeroPadding2D", (None, 32, 32, 1)),
        ("Conv2D", (None, 32, 32, 6)),
        ("MaxPooling2D", (None, 16, 16, 6)),
        ("Conv2D", (None, 16, 16, 16)),
        ("MaxPooling2D", (None, 8, 8, 16)),
    ],
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
    return {padding: submission.model(BUILDER, padding) for padding in EXPECTED}


def _shape(value: object) -> Shape | None:
    try:
        return tuple(None if d is None else int(d) for d in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return None


def feature_maps(report: ModelReport, *, call: str) -> FeatureMaps:
    """Each layer's class and output shape, read from the model rebuilt here."""
    model = rebuilt_model(report, what=f"the model from {call}")
    maps = [(type(layer).__name__, _shape(layer.output.shape)) for layer in model.layers]
    return [(kind, shape) for kind, shape in maps if kind not in _SHAPE_KEEPING]


def _listing(maps: FeatureMaps) -> str:
    return ", ".join(f"{kind} {format_shape(shape)}" for kind, shape in maps) or "no layers"


def _check_feature_maps(report: ModelReport, padding: str) -> None:
    call = f"{BUILDER}({padding!r})"
    received, expected = feature_maps(report, call=call), EXPECTED[padding]
    if [kind for kind, _ in received] != [kind for kind, _ in expected]:
        raise fail(
            f"the layers of {call} after its input",
            expected=", ".join(kind for kind, _ in expected),
            received=_listing(received),
            hint="use exactly the five layers the exercise lists, in that order.",
        )
    for index, ((kind, shape), (_, wanted)) in enumerate(
        zip(received, expected, strict=True), start=1
    ):
        if shape != wanted:
            raise fail(
                f"the output shape of layer {index} ({kind}) of {call}",
                expected=format_shape(wanted),
                received=f"{format_shape(shape)} (every layer: {_listing(received)})",
                hint=_HINTS[padding],
            )


@pytest.mark.points(1)
def test_zero_padding_grows_28_to_32(extractors: dict[str, ModelReport]) -> None:
    """the extractor starts with ZeroPadding2D(2): 28x28 becomes 32x32"""
    for padding, report in extractors.items():
        maps = feature_maps(report, call=f"{BUILDER}({padding!r})")
        first = maps[0] if maps else ("no layer", None)
        if first != EXPECTED[padding][0]:
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
