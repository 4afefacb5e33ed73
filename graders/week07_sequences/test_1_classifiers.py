"""Week 7 grader, part 1: the structure of the four sentiment classifiers (exercises 7.1-7.4).

Every builder is called twice, with two (vocabulary size, sequence length) pairs drawn at
each grading (``fresh_rng``): vocabulary sizes from 200 to 8,000 and sequence lengths from
8 to 60, the two of each different, so sizes written into the model instead of taken from
the arguments fail. The worker returns each model's layers, their output shapes, compile
settings and weight arrays; nothing is trained here.

Exact answers, no thresholds. The layers are compared in order, dropout and activation
layers aside; ``Bidirectional`` counts with the layer it wraps, read from its config. The
parameters are counted from the weight arrays and compared with counts worked out here from
the layer sizes of the contract (embedding dimension 16): Embedding ``V * 16``; LSTM(u) on
d inputs ``4 * (u * (d + u) + u)``; GRU(u) (Keras's default ``reset_after=True``)
``3 * (u * (d + u) + 2 * u)``; Bidirectional twice its layer; Conv1D(f, k) ``k * d * f + f``;
Dense(1) on d inputs ``d + 1``. For (1000, 20), say: 22,305 (LSTM), 38,945 (bidirectional),
20,833 (GRU) and 21,249 (Conv1D) parameters. A GRU wrapped in ``Bidirectional`` or an
LSTM in place of the GRU changes the count, and the check says by how much. The Conv1D
classifier's convolution must apply ReLU, as the exercise says (read from the config the
grader rebuilds the model from; a separate ReLU activation layer after it counts): without
it, GlobalMaxPooling1D keeps the largest of linear responses and the classifier still
trains to about the same accuracy, so part 2 cannot show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import (
    check_compiled,
    check_layer_arguments,
    check_optimizer,
    fail,
    format_shape,
    fresh_rng,
)

from .models import final_activation, layer_kind, structural_layers

pytestmark = pytest.mark.visibility("visible")


EMBEDDING = 16
Size = tuple[int, int]


def _lstm(units: int, inputs: int) -> int:
    return 4 * (units * (inputs + units) + units)


def _gru(units: int, inputs: int) -> int:
    return 3 * (units * (inputs + units) + 2 * units)


@dataclass(frozen=True)
class Contract:
    """What one builder must return, as a function of (vocabulary size, sequence length)."""

    builder: str
    #: (layer kind, output shape) for every layer that is not dropout or an activation.
    layers: Callable[[int, int], list[tuple[str, tuple[int | None, ...]]]]
    #: (layer, parameters) in order; their sum is the model's parameter count.
    parameters: Callable[[int, int], list[tuple[str, int]]]
    hint: str


CONTRACTS = {
    "lstm": Contract(
        builder="build_lstm_classifier",
        layers=lambda v, n: [
            ("Embedding", (None, n, EMBEDDING)),
            ("LSTM", (None, 32)),
            ("Dense", (None, 1)),
        ],
        parameters=lambda v, n: [
            (f"Embedding({v}, 16)", v * EMBEDDING),
            ("LSTM(32)", _lstm(32, EMBEDDING)),
            ("Dense(1)", 32 + 1),
        ],
        hint="keras.Input(shape=(sequence_length,)), keras.layers.Embedding(vocabulary_size, "
        "16), keras.layers.LSTM(32), keras.layers.Dense(1, activation='sigmoid').",
    ),
    "bidirectional": Contract(
        builder="build_bidirectional_classifier",
        layers=lambda v, n: [
            ("Embedding", (None, n, EMBEDDING)),
            ("Bidirectional(LSTM)", (None, n, 64)),
            ("Bidirectional(LSTM)", (None, 32)),
            ("Dense", (None, 1)),
        ],
        parameters=lambda v, n: [
            (f"Embedding({v}, 16)", v * EMBEDDING),
            ("Bidirectional(LSTM(32))", 2 * _lstm(32, EMBEDDING)),
            ("Bidirectional(LSTM(16))", 2 * _lstm(16, 64)),
            ("Dense(1)", 32 + 1),
        ],
        hint="the first keras.layers.Bidirectional(keras.layers.LSTM(32, "
        "return_sequences=True)) passes one vector per word to the second, "
        "Bidirectional(LSTM(16)), which passes only its last output to Dense(1).",
    ),
    "gru": Contract(
        builder="build_gru_classifier",
        layers=lambda v, n: [
            ("Embedding", (None, n, EMBEDDING)),
            ("GRU", (None, 32)),
            ("Dense", (None, 1)),
        ],
        parameters=lambda v, n: [
            (f"Embedding({v}, 16)", v * EMBEDDING),
            ("GRU(32)", _gru(32, EMBEDDING)),
            ("Dense(1)", 32 + 1),
        ],
        hint="keras.layers.Embedding(vocabulary_size, 16), keras.layers.GRU(32) with its "
        "default settings (not wrapped in Bidirectional), keras.layers.Dense(1, "
        "activation='sigmoid').",
    ),
    "conv1d": Contract(
        builder="build_conv1d_classifier",
        layers=lambda v, n: [
            ("Embedding", (None, n, EMBEDDING)),
            ("Conv1D", (None, n - 4, 64)),
            ("GlobalMaxPooling1D", (None, 64)),
            ("Dense", (None, 1)),
        ],
        parameters=lambda v, n: [
            (f"Embedding({v}, 16)", v * EMBEDDING),
            ("Conv1D(64, 5)", 5 * EMBEDDING * 64 + 64),
            ("Dense(1)", 64 + 1),
        ],
        hint="keras.layers.Embedding(vocabulary_size, 16), keras.layers.Conv1D(64, 5, "
        "activation='relu'), keras.layers.GlobalMaxPooling1D(), keras.layers.Dense(1, "
        "activation='sigmoid').",
    ),
}


class Models:
    """Each builder's two models, built in the worker on first use."""

    def __init__(self, submission: Submission, sizes: list[Size]) -> None:
        self._submission = submission
        self.sizes = sizes
        self._built: dict[str, list[ModelReport]] = {}

    def __call__(self, builder: str) -> list[ModelReport]:
        if builder not in self._built:
            self._built[builder] = [self._submission.model(builder, *size) for size in self.sizes]
        return self._built[builder]


def _draw_sizes(rng: np.random.Generator) -> list[Size]:
    vocabulary_sizes = rng.choice(np.arange(200, 8_001), 2, replace=False)
    lengths = rng.choice(np.arange(8, 61), 2, replace=False)
    return [(int(v), int(n)) for v, n in zip(vocabulary_sizes, lengths, strict=True)]


@pytest.fixture(scope="module")
def models(submission: Submission) -> Models:
    return Models(submission, _draw_sizes(fresh_rng(submission, "sentiment classifiers")))


def _call(builder: str, size: Size) -> str:
    return f"{builder}({size[0]}, {size[1]})"


def _check_layers(models: Models, kind: str) -> None:
    contract = CONTRACTS[kind]
    for size, report in zip(models.sizes, models(contract.builder), strict=True):
        call = _call(contract.builder, size)
        expected = contract.layers(*size)
        layers = structural_layers(report)
        kinds = [layer_kind(layer) for layer in layers]
        if kinds != [name for name, _ in expected]:
            raise fail(
                f"the layers of {call} (dropout and activation layers aside)",
                expected=" -> ".join(name for name, _ in expected),
                received=" -> ".join(kinds) or "no layers",
                hint=contract.hint,
            )
        if report.input_shape != (None, size[1]):
            raise fail(
                f"the input shape of {call}",
                expected=format_shape((None, size[1])),
                received=format_shape(report.input_shape),
                hint="start with keras.Input(shape=(sequence_length,)): one id per word.",
            )
        for layer, (name, shape) in zip(layers, expected, strict=True):
            if layer.output_shape != shape:
                raise fail(
                    f"the output shape of the {name} layer of {call}",
                    expected=format_shape(shape),
                    received=format_shape(layer.output_shape),
                    hint=contract.hint,
                )
        activation = final_activation(report)
        if activation != "sigmoid":
            raise fail(
                f"the activation of the last layer of {call}",
                expected="'sigmoid' (the probability that the sentence is positive)",
                received=repr(activation),
                hint="keras.layers.Dense(1, activation='sigmoid').",
            )


def _check_parameters(models: Models, kind: str) -> None:
    contract = CONTRACTS[kind]
    for size, report in zip(models.sizes, models(contract.builder), strict=True):
        parts = contract.parameters(*size)
        expected = sum(count for _, count in parts)
        if report.parameter_count != expected:
            breakdown = " + ".join(f"{count:,} ({name})" for name, count in parts)
            difference = report.parameter_count - expected
            raise fail(
                f"the number of parameters of {_call(contract.builder, size)}",
                expected=f"{expected:,} = {breakdown}",
                received=f"{report.parameter_count:,} ({difference:+,})",
                hint=contract.hint,
            )


@pytest.mark.points(1)
def test_lstm_classifier_layers(models: Models) -> None:
    """build_lstm_classifier: Embedding -> LSTM(32) -> Dense(1, sigmoid), with their shapes"""
    _check_layers(models, "lstm")


@pytest.mark.points(1)
def test_lstm_classifier_parameter_count(models: Models) -> None:
    """build_lstm_classifier has the parameters of its layers, for two vocabulary sizes"""
    _check_parameters(models, "lstm")


@pytest.mark.points(1)
def test_bidirectional_classifier_layers(models: Models) -> None:
    """build_bidirectional_classifier: two Bidirectional LSTMs, the first returning sequences"""
    _check_layers(models, "bidirectional")


@pytest.mark.points(1)
def test_bidirectional_classifier_parameter_count(models: Models) -> None:
    """build_bidirectional_classifier has the parameters of its layers"""
    _check_parameters(models, "bidirectional")


@pytest.mark.points(1)
def test_gru_classifier_layers(models: Models) -> None:
    """build_gru_classifier: Embedding -> GRU(32) -> Dense(1, sigmoid), with their shapes"""
    _check_layers(models, "gru")


@pytest.mark.points(1)
def test_gru_classifier_parameter_count(models: Models) -> None:
    """build_gru_classifier has the parameters of its layers"""
    _check_parameters(models, "gru")


@pytest.mark.points(1)
def test_conv1d_classifier_layers(models: Models) -> None:
    """build_conv1d_classifier: Embedding -> Conv1D(relu) -> GlobalMaxPooling1D -> Dense(1)"""
    _check_layers(models, "conv1d")
    contract = CONTRACTS["conv1d"]
    for size, report in zip(models.sizes, models(contract.builder), strict=True):
        check_layer_arguments(
            report,
            "Conv1D",
            [{"activation": "relu"}],
            what=f"the model from {_call(contract.builder, size)}",
            hint=contract.hint,
        )


@pytest.mark.points(1)
def test_conv1d_classifier_parameter_count(models: Models) -> None:
    """build_conv1d_classifier has the parameters of its layers"""
    _check_parameters(models, "conv1d")


@pytest.mark.points(1)
def test_classifiers_are_compiled_for_binary_classification(models: Models) -> None:
    """every classifier is compiled with Adam, binary cross-entropy and accuracy"""
    hint = "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])."
    for contract in CONTRACTS.values():
        report = models(contract.builder)[0]
        what = f"the model from {_call(contract.builder, models.sizes[0])}"
        check_compiled(report, loss="binary_crossentropy", what=what, compile_hint=hint)
        check_optimizer(report, "adam", what=what, hint=hint)
