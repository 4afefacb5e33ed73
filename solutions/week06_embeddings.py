# %%
"""Week 6: word embeddings, or how a model learns what words mean from the labels alone.

Goal: turn sentences into something a network can read, and watch it learn a vector for
every word. You clean the text, build a vocabulary with ``TextVectorization``, feed token
ids through ``tf.data``, train an ``Embedding`` + ``GlobalAveragePooling1D`` classifier that
tells positive movie-review sentences from negative ones, and export the learned word
vectors for the TensorFlow Embedding Projector (https://projector.tensorflow.org).

Exercises:
    6.1 ``standardize``          lower-case a string tensor and strip its punctuation
    6.2 ``build_vectorizer``     a ``TextVectorization`` layer adapted to a corpus
    6.3 ``encode_labels``        "negative"/"positive" to 0/1
    6.4 ``make_text_dataset``    a ``tf.data`` pipeline of (token ids, labels) batches
    6.5 ``build_classifier``     Embedding -> GlobalAveragePooling1D -> Dense -> 1 sigmoid unit
    6.6 ``train_classifier``     fit for at most 10 epochs and return the History
    6.7 ``export_embeddings``    ``vectors.tsv`` and ``metadata.tsv`` for the Projector

Data: 10,568 sentences from Rotten Tomatoes movie reviews, each rated by about twenty people
from -4 to +4 (Hutto & Gilbert 2014, "VADER: A Parsimonious Rule-based Model for Sentiment
Analysis of Social Media Text", ICWSM-14; the sentences ship with the ``vaderSentiment``
package, MIT licence). A sentence is "positive" when its mean rating is above 0 and
"negative" below (5,242 and 5,326 sentences). They stand in for the IMDB reviews and
sarcasm headlines a course would usually use, which no package registry ships. Load them
with ``course.datasets.rotten_tomatoes()`` (offline): ``(texts, labels)`` with labels 1 for
positive and 0 for negative, in file order, mostly positive first: shuffle before you split.

How you are graded: the grader shuffles the sentences with its own seed and keeps 2,000 of
them, with their labels, to itself. It gives your functions the other 8,568 and their
labels as the strings "negative" and "positive", and runs your pipeline as a person would:

    vectorizer = build_vectorizer(texts, max_tokens=10_000, sequence_length=32)
    dataset = make_text_dataset(texts, encode_labels(labels), vectorizer)
    model = build_classifier(len(vectorizer.get_vocabulary()), 16, 32)
    history = train_classifier(model, dataset)

then turns the 2,000 held-out sentences into token ids with your vectorizer and measures
your trained model's accuracy on them: at least 0.75 is required (the reference solution
scores about 0.78). The model itself takes token ids, not strings, so the grader can rebuild
it from standard layers.

Budget: training must finish within two minutes on two CPU cores (the reference trains for
4 epochs in about 10 seconds). More epochs are allowed, up to 10, but this small model
starts to overfit after 3 or 4: its held-out accuracy drops by about 0.02 by epoch 10.

Allowed: TensorFlow, Keras and numpy. Importing this module must not train anything, read
or write files, or download anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf


# %%
def standardize(texts: tf.Tensor) -> tf.Tensor:
    """Exercise 6.1: lower-case every string and delete its punctuation.

    ``texts`` is a ``tf.string`` tensor of any shape. Return a ``tf.string`` tensor of the
    same shape in which, in every string, the ASCII capitals A-Z are lower-cased and every
    ASCII punctuation character (the 32 in Python's ``string.punctuation``:
    ``!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~``) is deleted, not replaced by a space. Nothing else
    changes: letters outside ASCII, digits and whitespace stay as they are. So
    ``"Don't  GO -- it's dull!"`` becomes ``"dont  go  its dull"``. This is what
    ``TextVectorization``'s default ``standardize="lower_and_strip_punctuation"`` does; write
    it yourself with ``tf.strings.lower`` and ``tf.strings.regex_replace``.
    """
    ### BEGIN SOLUTION
    punctuation = r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"
    return tf.strings.regex_replace(tf.strings.lower(texts), punctuation, "")
    ### END SOLUTION


# %%
def build_vectorizer(
    texts: Sequence[str], max_tokens: int, sequence_length: int
) -> keras.layers.TextVectorization:
    """Exercise 6.2: a ``TextVectorization`` layer whose vocabulary comes from ``texts``.

    Standardise with your ``standardize`` (pass the function itself as ``standardize=``),
    split on whitespace, and output integer token ids (``output_mode="int"``), every row
    padded with 0 or cut to ``sequence_length`` ids. The vocabulary holds at most
    ``max_tokens`` entries, the two special tokens included: index 0 is the padding token
    ``''``, index 1 the out-of-vocabulary token ``'[UNK]'``, then the words of ``texts``,
    most frequent first. Call ``adapt(texts)`` and return the adapted layer: applied to a
    batch of N strings, it returns an ``int64`` tensor of shape (N, sequence_length).
    """
    ### BEGIN SOLUTION
    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=standardize,
        output_mode="int",
        output_sequence_length=sequence_length,
    )
    vectorizer.adapt(list(texts))
    return vectorizer
    ### END SOLUTION


# %%
def encode_labels(labels: Sequence[str]) -> np.ndarray:
    """Exercise 6.3: encode the label names as integers: "negative" -> 0, "positive" -> 1.

    ``labels`` is a sequence of N strings. Return an ``int32`` numpy array of shape (N,).
    Any other string (``"Positive"``, ``"neutral"``, ``""``...) is a mistake in the data:
    raise ``ValueError`` naming it rather than guessing a label for it.
    """
    ### BEGIN SOLUTION
    codes = {"negative": 0, "positive": 1}
    unknown = [label for label in labels if label not in codes]
    if unknown:
        raise ValueError(f"unknown label {unknown[0]!r}: expected 'negative' or 'positive'")
    return np.array([codes[label] for label in labels], dtype=np.int32)
    ### END SOLUTION


# %%
def make_text_dataset(
    texts: Sequence[str],
    labels: np.ndarray,
    vectorizer: keras.layers.TextVectorization,
    batch_size: int = 32,
    shuffle: bool = True,
) -> tf.data.Dataset:
    """Exercise 6.4: a ``tf.data.Dataset`` of ``(token ids, labels)`` batches.

    ``texts`` holds N strings and ``labels`` their N integer labels (from ``encode_labels``).
    Start from ``tf.data.Dataset.from_tensor_slices((texts, labels))``; when ``shuffle`` is
    true, shuffle the pairs with a buffer as large as the dataset (``len(texts)``), else keep
    their order. Group them into batches of ``batch_size`` (all full except the last), then
    turn each batch of strings into token ids with ``vectorizer`` in a ``map`` step, so every
    element is ``(int64 ids of shape (batch, sequence_length), labels of shape (batch,))``.
    End with ``prefetch(tf.data.AUTOTUNE)``. Each sentence appears once, with its own label.
    """
    ### BEGIN SOLUTION
    dataset = tf.data.Dataset.from_tensor_slices((list(texts), labels))
    if shuffle:
        dataset = dataset.shuffle(buffer_size=len(texts))
    dataset = dataset.batch(batch_size)
    dataset = dataset.map(lambda x, y: (vectorizer(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
    ### END SOLUTION


# %%
def build_classifier(vocabulary_size: int, embedding_dim: int, sequence_length: int) -> keras.Model:
    """Exercise 6.5: a compiled sentiment classifier that reads token ids.

    The input is a row of ``sequence_length`` token ids (``keras.Input(shape=
    (sequence_length,), dtype="int64")``). An ``Embedding(vocabulary_size, embedding_dim)``
    layer turns each id into a vector (its weight matrix has shape (vocabulary_size,
    embedding_dim)), ``GlobalAveragePooling1D`` averages the vectors of a sentence, and the
    model ends with ``Dense(1, activation="sigmoid")``: the probability that the sentence is
    positive, output shape (None, 1). A small hidden ``Dense`` layer in between may help.
    Besides the embedding matrix, at most 5,000 parameters. Compile with an optimizer of your
    choice (``"adam"`` works well), ``loss="binary_crossentropy"`` and
    ``metrics=["accuracy"]``. Return the compiled, untrained model.
    """
    ### BEGIN SOLUTION
    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,), dtype="int64"),
            keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model
    ### END SOLUTION


# %%
def train_classifier(model: keras.Model, dataset: tf.data.Dataset) -> keras.callbacks.History:
    """Exercise 6.6: train ``model`` on ``dataset``; return the ``History``.

    ``model`` comes from ``build_classifier`` and ``dataset`` from ``make_text_dataset`` (the
    grader's 8,568 training sentences). Call ``model.fit`` for at most 10 epochs (4 are
    enough) and return the ``keras.callbacks.History`` that ``fit`` returns.
    """
    ### BEGIN SOLUTION
    return model.fit(dataset, epochs=4, verbose=2)
    ### END SOLUTION


# %%
def export_embeddings(model: keras.Model, vocabulary: Sequence[str], directory: str | Path) -> None:
    """Exercise 6.7: write the learned word vectors in the Embedding Projector's TSV format.

    ``model`` has an ``Embedding`` layer (use the first one in ``model.layers``) whose weight
    matrix has one row per token of ``vocabulary`` (from ``get_vocabulary()``: ``''`` first,
    then ``'[UNK]'``, then the words). Create ``directory`` (and its parents) if needed, and
    write two UTF-8 files there, one line per token, in vocabulary order, skipping index 0
    (the padding token ``''``: the Projector drops empty lines, which would shift every label
    after it):

    - ``vectors.tsv``: the token's row of the weight matrix, its numbers separated by tabs
      (``"\\t".join(str(value) for value in row)``), no header;
    - ``metadata.tsv``: the token itself, no header.

    So line i of both files belongs to ``vocabulary[i + 1]``; each line ends with ``"\\n"``.
    Return nothing.
    """
    ### BEGIN SOLUTION
    embedding = next(layer for layer in model.layers if isinstance(layer, keras.layers.Embedding))
    weights = embedding.get_weights()[0]
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    with (
        open(folder / "vectors.tsv", "w", encoding="utf-8") as vectors,
        open(folder / "metadata.tsv", "w", encoding="utf-8") as metadata,
    ):
        for index, token in enumerate(vocabulary):
            if index == 0:
                continue  # the padding token
            vectors.write("\t".join(str(value) for value in weights[index]) + "\n")
            metadata.write(token + "\n")
    ### END SOLUTION
