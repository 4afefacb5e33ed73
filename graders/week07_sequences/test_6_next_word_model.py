"""Week 7 grader, part 6: ``build_next_word_model`` (exercise 7.9).

Structure: the builder is called with two (vocabulary size, sequence length) pairs drawn
at each grading (``fresh_rng``): vocabulary sizes from 50 to 3,000 and sequence lengths
from 4 to 20, the two of each different. The model must contain an Embedding with
``vocabulary_size`` rows and an LSTM (bare or in ``Bidirectional``), take ``(None,
sequence_length)`` and give ``(None, vocabulary_size)`` probabilities: its predictions for
4 to 16 id sequences drawn at each grading, made here on the model rebuilt from its config
and weights, must be non-negative and sum to 1 per row.

Training: this process prepares the data with the grader's copy of exercises 7.5-7.8 (not
the submission's): the first 100 sonnet lines (``course.datasets.shakespeare_sonnets``)
give a vocabulary of 393 words and 680 n-gram sequences, pre-padded to 10 ids, split into
predictors (680, 9) and sparse labels. The worker builds ``build_next_word_model(394, 9)``
and trains it with ``fit(epochs=20, batch_size=64)``; here the model is rebuilt and predicts
the next word of the same 680 predictors (training accuracy: the check is that the model can
learn the lines, not that it generalises from 100 lines). The 680 predictors hold only 644
distinct rows (the first n-gram of every line that starts with the same word has the same
predictor, that word, and a different next word), so even a perfect memoriser stays at
0.9485.

Measured on the reference solution, 2 CPU cores shared with other jobs (load average 4-7),
seeds 0-4, with the request, data and seed of a grading run (the worker reseeds every
random generator before each request):

    seed                0       1       2       3       4
    training accuracy   0.9485  0.9485  0.9485  0.9485  0.9485

min 0.9485 (the ceiling) against the threshold 0.80: a margin of 0.1485, 101 of the 680
n-grams. In epoch 11 the logged accuracy was still 0.70-0.83, in epoch 16 at least 0.93,
hence 20. A unidirectional LSTM(64) instead of the bidirectional one reaches 0.9485 and
0.9471 (seeds 0 and 1); Adam's default learning rate (1e-3) instead of 0.01 reaches only
0.0853 and 0.0794, and fails. This check takes 9-18 s of the week's 30-59 s wall time (the
whole week, reference solution, one grading run per seed 0-4, worker start included, at a
load average of 4.6-6.8 on the 2 cores); at a load average of 2 it took 6-9 s of 22 s.
"""

from __future__ import annotations

import numpy as np
import pytest

from course.datasets import shakespeare_sonnets
from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import (
    check_accuracy,
    check_compiled,
    check_input_shape,
    check_optimizer,
    check_output_shape,
    fail,
    fresh_rng,
    predictions_of,
)

from . import text
from .models import REBUILD_HINT, draw_sizes, trained_outputs

pytestmark = pytest.mark.visibility("visible")


BUILDER = "build_next_word_model"
LINES = 100
EPOCHS = 20
BATCH_SIZE = 64
THRESHOLD = 0.80
LEARNING_RATE = 0.01


@pytest.fixture(scope="module")
def models(submission: Submission) -> list[tuple[int, int, ModelReport]]:
    """The model for two (vocabulary size, sequence length) pairs."""
    sizes = draw_sizes(fresh_rng(submission, BUILDER, "sizes"), (50, 3_000), (4, 20))
    return [(v, n, submission.model(BUILDER, v, n)) for v, n in sizes]


@pytest.mark.points(1)
def test_next_word_model_layers(
    submission: Submission, models: list[tuple[int, int, ModelReport]]
) -> None:
    """an Embedding and an LSTM, and one probability per vocabulary id for each input"""
    hint = (
        "keras.Input(shape=(sequence_length,)), keras.layers.Embedding(vocabulary_size, 64), "
        "keras.layers.Bidirectional(keras.layers.LSTM(64)), "
        "keras.layers.Dense(vocabulary_size, activation='softmax')."
    )
    rng = fresh_rng(submission, BUILDER, "inputs")
    for vocabulary_size, length, report in models:
        call = f"{BUILDER}({vocabulary_size}, {length})"
        kinds = [layer.kind for layer in report.layers]
        if "Embedding" not in kinds or not any("LSTM" in kind for kind in kinds):
            raise fail(
                f"the layers of {call}",
                expected="an Embedding and an LSTM (or Bidirectional(LSTM))",
                received=" -> ".join(kinds) or "no layers",
                hint=hint,
            )
        embedding = report.layers[kinds.index("Embedding")]
        rows = embedding.weight_shapes[0][0] if embedding.weight_shapes else None
        if rows != vocabulary_size:
            raise fail(
                f"the number of rows of the Embedding of {call}",
                expected=f"{vocabulary_size} (one vector per id, padding included)",
                received=rows,
                hint="keras.layers.Embedding(vocabulary_size, 64): vocabulary_size already "
                "counts the padding id 0.",
            )
        check_input_shape(
            report, (None, length), hint=f"{call}: keras.Input(shape=(sequence_length,))."
        )
        check_output_shape(report, (None, vocabulary_size), hint=f"{call}: {hint}")
        ids = rng.integers(0, vocabulary_size, size=(int(rng.integers(4, 17)), length))
        outputs = predictions_of(
            report, ids, what=f"the model from {call}", rebuild_hint=REBUILD_HINT
        ).astype("float64")
        if outputs.min() < 0 or not np.allclose(outputs.sum(axis=1), 1.0, atol=1e-3):
            raise fail(
                f"the outputs of {call}",
                expected="probabilities: non-negative, summing to 1 for each input",
                received=f"values from {outputs.min():.3g} to {outputs.max():.3g}, row sums "
                f"from {outputs.sum(axis=1).min():.3g} to {outputs.sum(axis=1).max():.3g}",
                hint="end with keras.layers.Dense(vocabulary_size, activation='softmax').",
            )


@pytest.mark.points(1)
def test_next_word_model_is_compiled(models: list[tuple[int, int, ModelReport]]) -> None:
    """compiled with Adam at learning rate 0.01, sparse categorical cross-entropy, accuracy"""
    vocabulary_size, length, report = models[0]
    what = f"the model from {BUILDER}({vocabulary_size}, {length})"
    hint = (
        "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), "
        "loss='sparse_categorical_crossentropy', metrics=['accuracy'])."
    )
    check_compiled(report, loss="sparse_categorical_crossentropy", what=what, compile_hint=hint)
    check_optimizer(
        report,
        "adam",
        learning_rate=LEARNING_RATE,
        what=what,
        hint=f"Adam's default, 0.001, is too slow for the grader's {EPOCHS} epochs: " + hint,
    )


@pytest.mark.visibility("hidden")
@pytest.mark.points(3)
@pytest.mark.time_limit(120)
def test_next_word_model_learns_the_lines(submission: Submission) -> None:
    """trained 20 epochs on 100 sonnet lines, the model predicts 80% of their next words"""
    lines = shakespeare_sonnets()[:LINES]
    vocabulary = text.vocabulary(lines)
    padded = text.pad(text.ngrams(lines, vocabulary))
    predictors, labels = padded[:, :-1], padded[:, -1]
    size = [len(vocabulary) + 1, predictors.shape[1]]
    scores, history = trained_outputs(
        submission,
        BUILDER,
        size,
        x=predictors,
        y=labels,
        inputs=predictors,
        outputs=size[0],
        epochs=EPOCHS,
        batch_size=BATCH_SIZE,
    )
    logged = ", ".join(f"{a:.3f}" for a in history.get("accuracy", ())[::5]) or "not logged"
    check_accuracy(
        scores,
        labels,
        at_least=THRESHOLD,
        what=f"the {len(labels)} n-grams of the first {LINES} sonnet lines, by "
        f"{BUILDER}({size[0]}, {size[1]}) trained {EPOCHS} epochs on them",
        hint="use the docstring's layers, a softmax over the whole vocabulary, and Adam with "
        f"learning_rate=0.01 (the logged accuracy every 5 epochs: {logged}).",
    )
