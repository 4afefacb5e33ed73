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

import functools
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import (
    check_compiled,
    check_input_shape,
    check_layer_arguments,
    check_optimizer,
    fail,
    format_shape,
    fresh_rng,
)

from .models import draw_sizes, final_activation, structural_layers

pytestmark = pytest.mark.visibility("visible")


EMBEDDING = 16
#: A builder's models for the two drawn (vocabulary size, sequence length) pairs.
Models = Callable[[str], list[tuple[int, int, ModelReport]]]


def _lstm(units: int, inputs: int) -> int:
    return 4 * (units * (inputs + units) + units)


def _gru(units: int, inputs: int) -> int:
    return 3 * (units * (inputs + units) + 2 * units)


@dataclass(frozen=True)
class Contract:
    """What one builder must return, besides its Embedding(V, 16) and (layers) Dense(1)."""

    builder: str
    #: (layer kind, output shape) of each layer between the Embedding and the Dense(1), as a
    #: function of the sequence length.
    layers: Callable[[int], list[tuple[str, tuple[int | None, ...]]]]
    #: (layer, parameters) of each layer after the Embedding.
    parameters: list[tuple[str, int]]
    hint: str


CONTRACTS = {
    "lstm": Contract(
        "build_lstm_classifier",
        lambda n: [("LSTM", (None, 32))],
        [("LSTM(32)", _lstm(32, EMBEDDING)), ("Dense(1)", 32 + 1)],
        hint="keras.Input(shape=(sequence_length,)), keras.layers.Embedding(vocabulary_size, "
        "16), keras.layers.LSTM(32), keras.layers.Dense(1, activation='sigmoid').",
    ),
    "bidirectional": Contract(
        "build_bidirectional_classifier",
        lambda n: [("Bidirectional(LSTM)", (None, n, 64)), ("Bidirectional(LSTM)", (None, 32))],
        [
            ("Bidirectional(LSTM(32))", 2 * _lstm(32, EMBEDDING)),
            ("Bidirectional(LSTM(16))", 2 * _lstm(16, 64)),
            ("Dense(1)", 32 + 1),
        ],
        hint="the first keras.layers.Bidirectional(keras.layers.LSTM(32, "
        "return_sequences=True)) passes one vector per word to the second, "
        "Bidirectional(LSTM(16)), which passes only its last output to Dense(1).",
    ),
    "gru": Contract(
        "build_gru_classifier",
        lambda n: [("GRU", (None, 32))],
        [("GRU(32)", _gru(32, EMBEDDING)), ("Dense(1)", 32 + 1)],
        hint="keras.layers.Embedding(vocabulary_size, 16), keras.layers.GRU(32) with its "
        "default settings (not wrapped in Bidirectional), keras.layers.Dense(1, "
        "activation='sigmoid').",
    ),
    "conv1d": Contract(
        "build_conv1d_classifier",
        lambda n: [("Conv1D", (None, n - 4, 64)), ("GlobalMaxPooling1D", (None, 64))],
        [("Conv1D(64, 5)", 5 * EMBEDDING * 64 + 64), ("Dense(1)", 64 + 1)],
        hint="keras.layers.Embedding(vocabulary_size, 16), keras.layers.Conv1D(64, 5, "
        "activation='relu'), keras.layers.GlobalMaxPooling1D(), keras.layers.Dense(1, "
        "activation='sigmoid').",
    ),
}


@pytest.fixture(scope="module")
def models(submission: Submission) -> Models:
    """Each builder's two models, built in the worker on first use."""
    sizes = draw_sizes(fresh_rng(submission, "sentiment classifiers"), (200, 8_000), (8, 60))

    @functools.cache
    def build(builder: str) -> list[tuple[int, int, ModelReport]]:
        return [(v, n, submission.model(builder, v, n)) for v, n in sizes]

    return build


def _check_layers(models: Models, kind: str) -> None:
    contract = CONTRACTS[kind]
    for v, n, report in models(contract.builder):
        call = f"{contract.builder}({v}, {n})"
        expected = [("Embedding", (None, n, EMBEDDING)), *contract.layers(n), ("Dense", (None, 1))]
        layers = [(layer.kind, layer.output_shape) for layer in structural_layers(report)]
        if layers != expected:
            raise fail(
                f"the layers of {call} and their output shapes (dropout and activation layers "
                "aside)",
                expected=" -> ".join(f"{name} {format_shape(shape)}" for name, shape in expected),
                received=" -> ".join(f"{name} {format_shape(shape)}" for name, shape in layers)
                or "no layers",
                hint=contract.hint,
            )
        hint = f"start {call} with keras.Input(shape=(sequence_length,)): one id per word."
        check_input_shape(report, (None, n), hint=hint)
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
    for v, n, report in models(contract.builder):
        parts = [(f"Embedding({v}, 16)", v * EMBEDDING), *contract.parameters]
        expected = sum(count for _, count in parts)
        if report.parameter_count != expected:
            breakdown = " + ".join(f"{count:,} ({name})" for name, count in parts)
            raise fail(
                f"the number of parameters of {contract.builder}({v}, {n})",
                expected=f"{expected:,} = {breakdown}",
                received=f"{report.parameter_count:,} ({report.parameter_count - expected:+,})",
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
    for v, n, report in models("build_conv1d_classifier"):
        what = f"the model from build_conv1d_classifier({v}, {n})"
        hint = CONTRACTS["conv1d"].hint
        check_layer_arguments(report, "Conv1D", [{"activation": "relu"}], what=what, hint=hint)


@pytest.mark.points(1)
def test_conv1d_classifier_parameter_count(models: Models) -> None:
    """build_conv1d_classifier has the parameters of its layers"""
    _check_parameters(models, "conv1d")


@pytest.mark.points(1)
def test_classifiers_are_compiled_for_binary_classification(models: Models) -> None:
    """every classifier is compiled with Adam, binary cross-entropy and accuracy"""
    hint = "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])."
    for contract in CONTRACTS.values():
        v, n, report = models(contract.builder)[0]
        what = f"the model from {contract.builder}({v}, {n})"
        check_compiled(report, loss="binary_crossentropy", what=what, compile_hint=hint)
        check_optimizer(report, "adam", what=what, hint=hint)
