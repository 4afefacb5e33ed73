"""Week 6 grader, part 5: the classifier and how it is compiled (exercise 6.5).

The model takes token ids, never strings, so it is built from standard layers and the
grading process can rebuild it from its config and weights (``rebuilt_model``, allow-listed
layers only) and run it itself. Structure and compile settings come from the worker as
plain data; the probability check predicts 8 to 32 rows of token ids drawn at each grading
(``fresh_rng``) here, on the rebuilt model. The model is built twice: with the graded
settings ``(10_000, 16, 32)``, and with arguments drawn at each grading (vocabulary size
200 to 3,000, embedding dimension 4 to 12, sequence length 10 to 60 but not 32), which
catches constants written where the arguments belong. The parameter budget is counted from
the weight arrays: the embedding matrix plus at most 5,000 parameters (the reference has
160,000 + 289), which a ``Flatten`` layer in place of the pooling (512 inputs to the next
``Dense`` layer) exceeds.

Equivalent mutants:
    build_classifier:default-argument:mask_zero - the exercise asks for
        Embedding(vocabulary_size, embedding_dim) and leaves masking to the student: an
        average over the padding as well is a right answer when the trained model reaches
        the accuracy threshold (part 6 judges that).
    build_classifier:flip-mask_zero:False - the same model as leaving mask_zero out.
    build_classifier:remove-layer:Dense - the hidden Dense layer is optional ("a small
        hidden Dense layer in between may help"): without it the model is the exercise's.
    build_classifier:drop-activation:relu - the exercise names no activation for the
        optional hidden layer; a linear one is a right answer when the trained model
        reaches the accuracy threshold (part 6 judges that).
    build_classifier:swap-activation:relu - likewise a sigmoid hidden layer.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import (
    check_compiled,
    check_input_shape,
    check_layers_present,
    check_output_shape,
    check_parameter_count,
    fail,
    fresh_rng,
    output_activation,
    predictions_of,
    rebuilt_model,
)

pytestmark = pytest.mark.visibility("visible")

VOCABULARY_SIZE, EMBEDDING_DIM, SEQUENCE_LENGTH = 10_000, 16, 32
OTHER_PARAMETERS = 5_000


@pytest.fixture(scope="module")
def model(submission: Submission) -> ModelReport:
    return submission.model("build_classifier", VOCABULARY_SIZE, EMBEDDING_DIM, SEQUENCE_LENGTH)


@pytest.fixture(scope="module")
def other_arguments(submission: Submission) -> tuple[int, int, int]:
    """(vocabulary size, embedding dimension, sequence length), other than the graded ones."""
    rng = fresh_rng(submission, "build_classifier", "arguments")
    return (
        int(rng.integers(200, 3_001)),
        int(rng.integers(4, 13)),
        int(rng.choice([n for n in range(10, 61) if n != SEQUENCE_LENGTH])),
    )


@pytest.fixture(scope="module")
def small(submission: Submission, other_arguments: tuple[int, int, int]) -> ModelReport:
    return submission.model("build_classifier", *other_arguments)


def _check_embedding(report: ModelReport, arguments: tuple[int, int, int]) -> None:
    vocabulary_size, embedding_dim, _ = arguments
    embeddings = [layer for layer in report.layers if layer.class_name == "Embedding"]
    shapes = [shape for layer in embeddings for shape in layer.weight_shapes[:1]]
    if shapes[:1] != [(vocabulary_size, embedding_dim)]:
        raise fail(
            f"the weight matrix of the Embedding layer of build_classifier{arguments}",
            expected=f"of shape ({vocabulary_size}, {embedding_dim})",
            received=f"of shape {shapes[0]}" if shapes else "no Embedding layer",
            hint="use keras.layers.Embedding(vocabulary_size, embedding_dim): one row of "
            "embedding_dim numbers per token.",
        )


@pytest.mark.points(1)
def test_classifier_input_and_output_shapes(model: ModelReport) -> None:
    """the model reads rows of 32 token ids and outputs one number per sentence"""
    check_input_shape(
        model,
        (None, SEQUENCE_LENGTH),
        hint="start with keras.Input(shape=(sequence_length,), dtype='int64'): the model "
        "takes token ids, the vectorizer stays in the data pipeline.",
    )
    check_output_shape(
        model, (None, 1), hint="end with keras.layers.Dense(1, activation='sigmoid')."
    )


@pytest.mark.points(1)
def test_classifier_embeds_and_averages(model: ModelReport) -> None:
    """an Embedding layer of vocabulary_size x embedding_dim, then GlobalAveragePooling1D"""
    check_layers_present(
        model,
        ["Embedding", "GlobalAveragePooling1D"],
        hint="Embedding turns each token id into a vector; GlobalAveragePooling1D averages "
        "the vectors of a sentence into one.",
    )
    _check_embedding(model, (VOCABULARY_SIZE, EMBEDDING_DIM, SEQUENCE_LENGTH))
    classes = model.layer_classes
    if classes.index("GlobalAveragePooling1D") < classes.index("Embedding"):
        raise fail(
            "the order of the layers",
            expected="Embedding before GlobalAveragePooling1D",
            received=", ".join(classes),
            hint="average the embedded vectors: Embedding first, then the pooling.",
        )


@pytest.mark.points(1)
def test_classifier_uses_its_arguments(
    small: ModelReport, other_arguments: tuple[int, int, int]
) -> None:
    """build_classifier with other arguments sizes the input and the embedding from them"""
    check_input_shape(
        small,
        (None, other_arguments[2]),
        hint=f"build_classifier{other_arguments} must take rows of {other_arguments[2]} ids: "
        "use sequence_length, not a fixed number.",
    )
    _check_embedding(small, other_arguments)
    check_output_shape(small, (None, 1), hint="end with Dense(1, activation='sigmoid').")


@pytest.mark.points(1)
def test_classifier_parameter_budget(model: ModelReport) -> None:
    """besides the embedding matrix, at most 5,000 parameters"""
    check_parameter_count(
        model,
        at_most=VOCABULARY_SIZE * EMBEDDING_DIM + OTHER_PARAMETERS,
        hint=f"the {VOCABULARY_SIZE:,} x {EMBEDDING_DIM} embedding matrix is allowed, plus "
        f"{OTHER_PARAMETERS:,} more: average the vectors with GlobalAveragePooling1D (no "
        "Flatten) and keep the hidden Dense layer small (16 units).",
    )


@pytest.mark.points(1)
def test_classifier_outputs_probabilities(submission: Submission, model: ModelReport) -> None:
    """the output is a probability between 0 and 1 (a sigmoid unit)"""
    rng = fresh_rng(submission, "build_classifier", "sample")
    sample = rng.integers(0, VOCABULARY_SIZE, size=(int(rng.integers(8, 33)), SEQUENCE_LENGTH))
    predictions = predictions_of(
        rebuilt_model(model, what="the model from build_classifier()"),
        sample,
        what=f"the model's predictions for {len(sample)} rows of {SEQUENCE_LENGTH} token ids",
        expected="one probability per row",
        hint="start with keras.Input(shape=(sequence_length,), dtype='int64').",
    )
    if not (np.all(predictions >= 0.0) and np.all(predictions <= 1.0)):
        raise fail(
            "the model's outputs",
            expected="probabilities between 0 and 1",
            received=f"values from {float(predictions.min()):.4g} to "
            f"{float(predictions.max()):.4g}",
            hint="end with keras.layers.Dense(1, activation='sigmoid').",
        )
    # An untrained ReLU unit can stay within [0, 1] on these rows: read the activation too.
    activation = output_activation(model)
    if activation != "sigmoid":
        raise fail(
            "the activation of the model's last layer",
            expected="'sigmoid' (the probability that the sentence is positive)",
            received=repr(activation),
            hint="end with keras.layers.Dense(1, activation='sigmoid').",
        )


@pytest.mark.points(1)
def test_classifier_compiled_for_binary_classification(model: ModelReport) -> None:
    """the model is compiled with binary cross-entropy and reports accuracy"""
    check_compiled(
        model,
        loss="binary_crossentropy",
        what="the model from build_classifier()",
        compile_hint="two classes and one sigmoid output: call model.compile(optimizer='adam', "
        "loss='binary_crossentropy', metrics=['accuracy']).",
    )
