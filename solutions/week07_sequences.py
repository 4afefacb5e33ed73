# %%
"""Week 7: sequence models for text, from sentiment classifiers to next-word prediction.

Goal: read text as a sequence of word ids. First, four binary sentiment classifiers that
differ only in the layer that reads the sequence (an LSTM, two stacked bidirectional LSTMs,
a GRU and a 1-D convolution); then a language model that predicts the next word of a line
of Shakespeare, with the data preparation it needs (a vocabulary, n-gram sequences,
pre-padding, predictors and labels) and a function that writes new text with it.

Data: the classic exercises for this week use the IMDB reviews and the sarcasm headlines,
which no package registry ships. The graders use stand-ins: 10,568 Rotten Tomatoes review
sentences rated positive or negative (Hutto & Gilbert 2014, shipped in the
``vaderSentiment`` sdist; ``course.datasets.rotten_tomatoes()``) for the classifiers, and
the 2,155 verse lines of Shakespeare's sonnets (``course.datasets.shakespeare_sonnets()``)
for the next-word model. The graders tokenise the data themselves and hand your models
arrays of word ids, so exercises 7.1 to 7.4 and 7.9 never see text.

Exercises:
    7.1  ``build_lstm_classifier``            Embedding, LSTM, one sigmoid unit
    7.2  ``build_bidirectional_classifier``   two stacked bidirectional LSTMs
    7.3  ``build_gru_classifier``             Embedding, GRU, one sigmoid unit
    7.4  ``build_conv1d_classifier``          Embedding, Conv1D, global max pooling
    7.5  ``build_vocabulary``                 word -> id, most frequent word first
    7.6  ``make_ngram_sequences``             every prefix of at least 2 words of each line
    7.7  ``pad_to_longest``                   zeros on the left, up to the longest sequence
    7.8  ``split_predictors_and_labels``      all ids but the last, and the last one
    7.9  ``build_next_word_model``            Embedding, bidirectional LSTM, softmax
    7.10 ``generate_text``                    continue a seed text word by word, greedily

``split_words`` is given: it is how every exercise (and every grader) cuts a line into
words. Allowed: TensorFlow, Keras, numpy and the standard library. Importing this module
must not train anything, read files or download anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import keras
import numpy as np

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


# %%
def split_words(line: str) -> list[str]:
    """Given, not an exercise: the words of ``line``, lower-cased, in order.

    A word is a run of letters, with apostrophes allowed between letters; everything else
    (spaces, punctuation, quotes, hyphens, digits) separates words. So
    ``split_words("Feed'st thy light's flame with self-substantial fuel,")`` is
    ``["feed'st", "thy", "light's", "flame", "with", "self", "substantial", "fuel"]``.
    """
    return _WORD.findall(line.lower())


# -- Sentiment classifiers ------------------------------------------------------------------
#
# Each builder returns a compiled ``keras.Sequential`` model whose input is a batch of
# ``sequence_length`` word ids (``keras.Input(shape=(sequence_length,))``; id 0 is padding,
# every id is below ``vocabulary_size``) and whose output, shape ``(batch, 1)``, is the
# probability that the sentence is positive. Each starts with
# ``keras.layers.Embedding(vocabulary_size, 16)``, ends with ``keras.layers.Dense(1,
# activation="sigmoid")``, and is compiled with ``optimizer="adam"``,
# ``loss="binary_crossentropy"`` and ``metrics=["accuracy"]``. Dropout layers may be added
# anywhere; no other layer with weights.


# %%
def build_lstm_classifier(vocabulary_size: int, sequence_length: int) -> keras.Model:
    """Exercise 7.1: Embedding(vocabulary_size, 16), LSTM(32), Dense(1, sigmoid).

    The LSTM reads the 16-dimensional word vectors in order and passes its last output,
    shape ``(batch, 32)``, to the Dense layer. Compiled as described above.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,)),
            keras.layers.Embedding(vocabulary_size, 16),
            keras.layers.LSTM(32),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model
    ### END SOLUTION


# %%
def build_bidirectional_classifier(vocabulary_size: int, sequence_length: int) -> keras.Model:
    """Exercise 7.2: two stacked bidirectional LSTMs.

    Embedding(vocabulary_size, 16); ``Bidirectional(LSTM(32, return_sequences=True))``,
    whose output, shape ``(batch, sequence_length, 64)``, keeps one vector per word so that
    a second recurrent layer can read it; ``Bidirectional(LSTM(16))``, output ``(batch,
    32)``; Dense(1, sigmoid). Compiled as described above.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,)),
            keras.layers.Embedding(vocabulary_size, 16),
            keras.layers.Bidirectional(keras.layers.LSTM(32, return_sequences=True)),
            keras.layers.Bidirectional(keras.layers.LSTM(16)),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model
    ### END SOLUTION


# %%
def build_gru_classifier(vocabulary_size: int, sequence_length: int) -> keras.Model:
    """Exercise 7.3: Embedding(vocabulary_size, 16), GRU(32), Dense(1, sigmoid).

    One GRU layer with 32 units and Keras's default settings (one direction, last output
    only). Compiled as described above.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,)),
            keras.layers.Embedding(vocabulary_size, 16),
            keras.layers.GRU(32),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model
    ### END SOLUTION


# %%
def build_conv1d_classifier(vocabulary_size: int, sequence_length: int) -> keras.Model:
    """Exercise 7.4: a convolution over the word vectors instead of a recurrent layer.

    Embedding(vocabulary_size, 16); ``Conv1D(64, 5, activation="relu")`` (64 filters, each
    looking at 5 consecutive words; output ``(batch, sequence_length - 4, 64)``);
    ``GlobalMaxPooling1D()``, output ``(batch, 64)``; Dense(1, sigmoid). Compiled as
    described above.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,)),
            keras.layers.Embedding(vocabulary_size, 16),
            keras.layers.Conv1D(64, 5, activation="relu"),
            keras.layers.GlobalMaxPooling1D(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model
    ### END SOLUTION


# -- Next-word prediction -------------------------------------------------------------------


# %%
def build_vocabulary(lines: Sequence[str]) -> dict[str, int]:
    """Exercise 7.5: number every word of ``lines``, the most frequent first.

    The words are those of ``split_words(line)`` for every line. Return a dict mapping each
    distinct word to an id from 1 to the number of distinct words (0 is kept for padding):
    the most frequent word gets 1, the next 2, and so on; words that occur equally often
    are numbered in the order they first appear in ``lines``. For ``["The cat", "the hat"]``
    the result is ``{"the": 1, "cat": 2, "hat": 3}``.
    """
    ### BEGIN SOLUTION
    counts: dict[str, int] = {}
    for line in lines:
        for word in split_words(line):
            counts[word] = counts.get(word, 0) + 1
    by_frequency = sorted(counts, key=lambda word: -counts[word])  # stable: ties keep order
    return {word: index for index, word in enumerate(by_frequency, start=1)}
    ### END SOLUTION


# %%
def make_ngram_sequences(lines: Sequence[str], vocabulary: Mapping[str, int]) -> list[list[int]]:
    """Exercise 7.6: the n-gram sequences that teach a model to predict the next word.

    Each line becomes the ids of its words (``split_words``; a word missing from
    ``vocabulary`` is skipped). A line with ids ``[a, b, c, d]`` then gives its prefixes of
    2 ids or more, shortest first and the whole line last: ``[a, b]``, ``[a, b, c]``,
    ``[a, b, c, d]``. Return the sequences of all lines, line after line, as lists of
    Python ints. A line with fewer than 2 known words gives none.
    """
    ### BEGIN SOLUTION
    sequences: list[list[int]] = []
    for line in lines:
        ids = [vocabulary[word] for word in split_words(line) if word in vocabulary]
        sequences.extend(ids[:end] for end in range(2, len(ids) + 1))
    return sequences
    ### END SOLUTION


# %%
def pad_to_longest(sequences: Sequence[Sequence[int]]) -> np.ndarray:
    """Exercise 7.7: pre-pad ``sequences`` with zeros to the length of the longest one.

    Return an integer array (int32, as ``keras.utils.pad_sequences`` gives) of shape
    ``(len(sequences), longest length)``. Row ``i`` is ``sequences[i]`` with zeros added on
    the left (pre-padding), so that every sequence ends in the last column: the word to
    predict is then always in the same place. ``[[3, 1], [4, 1, 5]]`` gives
    ``[[0, 3, 1], [4, 1, 5]]``.
    """
    ### BEGIN SOLUTION
    return np.asarray(keras.utils.pad_sequences(sequences, padding="pre"), dtype="int32")
    ### END SOLUTION


# %%
def split_predictors_and_labels(
    padded: np.ndarray, num_classes: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exercise 7.8: split pre-padded sequences into model inputs and next-word labels.

    ``padded`` is an integer array of shape ``(n, length)`` as ``pad_to_longest`` returns.
    The predictors are every column but the last, shape ``(n, length - 1)``, same dtype;
    the labels are the last column, the id of the word to predict.

    With ``num_classes=None`` (sparse labels, for ``sparse_categorical_crossentropy``) the
    labels are an integer array of shape ``(n,)``. With ``num_classes`` given they are
    one-hot: a float array (any float dtype) of shape ``(n, num_classes)`` with a single 1.0
    per row, in the column of the label (``keras.utils.to_categorical``). One-hot labels take
    ``num_classes`` times the memory; the graders train with sparse labels.
    """
    ### BEGIN SOLUTION
    predictors, labels = padded[:, :-1], padded[:, -1]
    if num_classes is None:
        return predictors, labels
    return predictors, keras.utils.to_categorical(labels, num_classes=num_classes)
    ### END SOLUTION


# %%
def build_next_word_model(vocabulary_size: int, sequence_length: int) -> keras.Model:
    """Exercise 7.9: a model that predicts the next word from the ``sequence_length`` before.

    Input: a batch of ``sequence_length`` word ids (``keras.Input(shape=(sequence_length,))``;
    ids run from 0, padding, to ``vocabulary_size - 1``, so ``vocabulary_size`` is
    ``len(vocabulary) + 1``). Layers: ``Embedding(vocabulary_size, 64)``,
    ``Bidirectional(LSTM(64))``, ``Dense(vocabulary_size, activation="softmax")``: the
    output, shape ``(batch, vocabulary_size)``, is a probability for every id. Compile with
    ``keras.optimizers.Adam(learning_rate=0.01)``, ``loss="sparse_categorical_crossentropy"``
    (the labels are ids) and ``metrics=["accuracy"]``. Return the compiled, untrained model.

    The grader trains it for 20 epochs (batch size 64) on the n-grams of the first 100
    sonnet lines and expects it to predict most of their next words.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,)),
            keras.layers.Embedding(vocabulary_size, 64),
            keras.layers.Bidirectional(keras.layers.LSTM(64)),
            keras.layers.Dense(vocabulary_size, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
    ### END SOLUTION


# %%
def generate_text(
    model: keras.Model, vocabulary: Mapping[str, int], seed_text: str, n_words: int
) -> str:
    """Exercise 7.10: continue ``seed_text`` with ``n_words`` words, the likeliest each time.

    ``model`` is a next-word model like 7.9's, trained with the ids of ``vocabulary`` (as
    ``build_vocabulary`` makes it); its input length is ``model.input_shape[1]``.

    The context starts as the ids of the words of ``seed_text`` (``split_words``; words
    missing from ``vocabulary`` are skipped). Then, ``n_words`` times: keep the last
    ``model.input_shape[1]`` ids of the context and pad them with zeros on the left to that
    length (``keras.utils.pad_sequences(..., maxlen=...)`` does both), predict, and pick the
    id with the highest probability among the word ids (never 0, the padding id; ties go to
    the smaller id); append its word to the text and its id to the context.

    Return ``seed_text`` unchanged followed, for each new word, by a space and the word:
    ``generate_text(model, vocabulary, "Shall I", 2)`` may give ``"Shall I compare thee"``.
    The result has exactly ``n_words`` new words, all keys of ``vocabulary``; with
    ``n_words=0`` it is ``seed_text``. Greedy decoding is deterministic: the same arguments
    give the same text.
    """
    ### BEGIN SOLUTION
    words = {index: word for word, index in vocabulary.items()}
    length = int(model.input_shape[1])
    context = [vocabulary[word] for word in split_words(seed_text) if word in vocabulary]
    text = seed_text
    for _ in range(n_words):
        window = keras.utils.pad_sequences([context], maxlen=length, padding="pre")
        probabilities = np.asarray(model(window, training=False))[0]
        best = max(words, key=lambda index: (probabilities[index], -index))
        context.append(best)
        text += " " + words[best]
    return text
    ### END SOLUTION
