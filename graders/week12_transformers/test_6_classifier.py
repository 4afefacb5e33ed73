"""Week 12 grader, part 6: the Transformer sentiment classifier (exercise 12.7).

Data: the 10,568 Rotten Tomatoes sentences (``course.datasets.rotten_tomatoes``; they stand
in for the IMDB reviews, which no package registry ships), shuffled here with a fixed seed
(``DATA_SEED``, the same for every grading seed), the first 8,000 for training and the
other 2,568 for validation. This process tokenises them (week 7's ``split_words``: runs of
letters, apostrophes inside words): the 4,998 most frequent words of the training
sentences get ids 2 to 4,999, any other word 1, padding 0; each sentence keeps its first
40 words (113 of the 10,568 are longer) and is padded with zeros on the right. The worker
builds ``build_transformer_classifier(5000, 40)``, trains it with ``fit(epochs=2,
batch_size=32)`` on the training ids and labels, and predicts the validation ids; the
validation labels never leave this process. The model holds custom layers, so it cannot
be rebuilt here, and recomputing a whole trained Transformer in numpy is beyond this grader
(parts 4 and 5 recompute its two layers from their weights): the accuracy is computed here
from the predictions the worker made for the validation ids (positive when the output is
> 0.5). Self-reported, then: nothing here proves the predictions come from the model the
exercise describes; parts 4 and 5 are what check its layers.

Measured with the request, data and seed of a grading run (the worker reseeds every random
generator before each request), 2 CPU cores shared with other jobs (load average 5-7),
seeds 0-4, validation accuracy:

    seed                                        0       1       2       3       4
    reference solution (post-norm, learned      0.7776  0.7765  0.7656  0.7765  0.7784
      positions, LayerNorm epsilon 1e-6)
    a pre-norm block, sinusoidal positions      0.7722  0.7648  0.7773  0.7586  0.7691
      scaled by sqrt(32), default epsilon

Threshold 0.72: a margin of 0.0456 below the reference's minimum (117 of the 2,568
sentences) and 0.0386 below the other correct variant's. The baseline it must beat:
always predicting one class scores at most 0.5066 (1,301 negative, 1,267 positive). The
training accuracy logged in epoch 2 was 0.77-0.78. Two wrong answers score as well here
(positions not added: 0.7773 and 0.7776 for seeds 0 and 1, a bag of words is as good on
sentences this short; no residual around the attention: 0.7664 for seed 0), which is why
parts 4 and 5 check the layers themselves. This check takes 15-25 s; the whole week
grades in 23-32 s (``benchmarks/check_weeks.py 12``, load average 4-6).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from course.datasets import Split, rotten_tomatoes
from course.grading.reports import ModelReport
from course.grading.submission import Submission
from course.testing import (
    check_binary_accuracy,
    check_input_shape,
    check_layer_arguments,
    check_layers_present,
    check_loss,
    check_output_shape,
    fail,
    format_shape,
    note,
)

pytestmark = pytest.mark.visibility("visible")

BUILDER = "build_transformer_classifier"
DATA_SEED = 12
TRAINING_SENTENCES = 8_000
VOCABULARY_SIZE = 5_000
MAXLEN = 40
EPOCHS = 2
BATCH_SIZE = 32
THRESHOLD = 0.72
OUT_OF_VOCABULARY = 1
CUSTOM_LAYERS = ("TokenAndPositionEmbedding", "TransformerBlock")
CALL = f"{BUILDER}({VOCABULARY_SIZE}, {MAXLEN})"
COMPILE_HINT = "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])."
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


@pytest.fixture(scope="module")
def sentences() -> tuple[Split, Split]:
    """((training ids, labels), (validation ids, labels)), ids shape (n, 40) int32."""
    texts, labels = rotten_tomatoes()
    order = np.random.default_rng(DATA_SEED).permutation(len(texts))
    words = [_WORD.findall(texts[i].lower()) for i in order]
    labels = labels[order].astype("int32")
    counts = Counter(word for sentence in words[:TRAINING_SENTENCES] for word in sentence)
    ranked = [word for word, _ in counts.most_common(VOCABULARY_SIZE - 2)]
    index = {word: i for i, word in enumerate(ranked, start=2)}
    ids = np.zeros((len(words), MAXLEN), dtype="int32")
    for row, sentence in enumerate(words):
        kept = [index.get(word, OUT_OF_VOCABULARY) for word in sentence[:MAXLEN]]
        ids[row, : len(kept)] = kept
    split = TRAINING_SENTENCES
    return (ids[:split], labels[:split]), (ids[split:], labels[split:])


@pytest.mark.points(1)
def test_classifier_structure(submission: Submission) -> None:
    """the classifier holds this week's two layers, its Dropout(0.1) and Dense layers and one
    sigmoid unit, for cross-entropy on probabilities

    Self-reported: the layers, shapes and compile settings, as the worker describes them."""
    report: ModelReport = submission.model(BUILDER, VOCABULARY_SIZE, MAXLEN)
    hint = (
        "keras.Input(shape=(maxlen,)), TokenAndPositionEmbedding(maxlen, vocab_size, 32), "
        "TransformerBlock(32, 2, 32), GlobalAveragePooling1D, Dropout, Dense(20, relu), "
        "Dropout, Dense(1, activation='sigmoid')."
    )
    check_layers_present(report, CUSTOM_LAYERS, hint=hint)
    check_input_shape(report, (None, MAXLEN), hint=hint)
    check_output_shape(report, (None, 1), hint=hint)
    dense = [{"units": 20, "activation": "relu"}, {"units": 1, "activation": "sigmoid"}]
    check_layer_arguments(report, "Dense", dense, what=CALL, hint=hint)
    activation = (report.layers[-1].config or {}).get("activation")
    if activation != "sigmoid":
        raise fail(
            f"the activation of the last layer of {CALL}",
            expected="'sigmoid' (the probability that the sentence is positive)",
            received=repr(activation),
            hint=hint,
        )
    check_layer_arguments(report, "Dropout", [{"rate": 0.1}] * 2, what=CALL, hint=hint)
    check_loss(report, loss="binary_crossentropy", what=CALL, compile_hint=COMPILE_HINT)


@pytest.mark.visibility("hidden")
@pytest.mark.points(4)
@pytest.mark.time_limit(150)
def test_classifier_learns_sentiment(
    submission: Submission, sentences: tuple[Split, Split]
) -> None:
    """trained 2 epochs on 8,000 sentences, it labels 72% of 2,568 unseen ones right

    Self-reported: the worker predicts the validation ids; only the labels stay here."""
    (x_train, y_train), (x_valid, y_valid) = sentences
    trained = submission.fit(
        BUILDER,
        x_train,
        y_train,
        args=[VOCABULARY_SIZE, MAXLEN],
        predict_inputs=x_valid,
        epochs=EPOCHS,
        batch_size=BATCH_SIZE,
    )
    scores = trained.model.predictions
    if scores is None or scores.shape not in ((len(y_valid), 1), (len(y_valid),)):
        raise fail(
            f"the predictions of the trained {CALL} for {len(y_valid):,} sentences",
            expected=f"shape ({len(y_valid)}, 1)",
            received="none" if scores is None else format_shape(scores.shape),
            hint="end with keras.layers.Dense(1, activation='sigmoid').",
        )
    accuracy = check_binary_accuracy(
        scores,
        y_valid,
        at_least=THRESHOLD,
        what=f"the accuracy of {CALL}, trained {EPOCHS} epochs on {TRAINING_SENTENCES:,} "
        f"sentences, on {len(y_valid):,} sentences it did not see",
        history=trained.history,
        hint="check the layers against the docstring (the embedding adds positions, the "
        "block keeps its residual connections) and compile with Adam and binary "
        "cross-entropy.",
    )
    note(f"validation accuracy {accuracy:.4f} (needed: at least {THRESHOLD:.2f})")
