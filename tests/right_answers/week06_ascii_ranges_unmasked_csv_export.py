"""Right answer: punctuation as ASCII ranges, no mask, a higher learning rate, csv export.

``standardize`` deletes ``[!-/:-@\\[-`{-~]`` (the four ASCII ranges of punctuation);
``encode_labels`` loops once, raising at the first unknown label, into ``np.fromiter``;
``make_text_dataset`` maps a named function; ``build_classifier`` leaves the padding
unmasked (``mask_zero`` off: the zeros are averaged in, as in TensorFlow's own embeddings
tutorial) with ``Dense(16, relu)``, compiled with ``Adam(learning_rate=0.003)``;
``train_classifier`` trains 4 epochs; ``export_embeddings`` writes the vectors with a
tab-delimited ``csv.writer`` (``lineterminator="\\n"``) from the layer's ``embeddings``
variable.

week: week06_embeddings
"""

CHANGES = [
    (
        "from collections.abc import Sequence\nfrom pathlib import Path\n",
        "import csv\nfrom collections.abc import Sequence\nfrom pathlib import Path\n",
    ),
    (
        """    punctuation = r"[!\\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]"
""",
        """    punctuation = r"[!-/:-@\\[-`{-~]"
""",
    ),
    (
        """    codes = {"negative": 0, "positive": 1}
    unknown = [label for label in labels if label not in codes]
    if unknown:
        raise ValueError(f"unknown label {unknown[0]!r}: expected 'negative' or 'positive'")
    return np.array([codes[label] for label in labels], dtype=np.int32)
""",
        """    def code(label: str) -> int:
        if label == "positive":
            return 1
        if label == "negative":
            return 0
        raise ValueError(f"{label!r} is neither 'negative' nor 'positive'")

    return np.fromiter((code(label) for label in labels), dtype=np.int32, count=len(labels))
""",
    ),
    (
        """    dataset = dataset.map(lambda x, y: (vectorizer(x), y), num_parallel_calls=tf.data.AUTOTUNE)
""",
        """
    def vectorize(batch_texts: tf.Tensor, batch_labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return vectorizer(batch_texts), batch_labels

    dataset = dataset.map(vectorize, num_parallel_calls=tf.data.AUTOTUNE)
""",
    ),
    (
        """            keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True),
""",
        """            keras.layers.Embedding(input_dim=vocabulary_size, output_dim=embedding_dim),
""",
    ),
    (
        """    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
""",
        """    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.003),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
""",
    ),
    (
        """    weights = embedding.get_weights()[0]
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    with (
        open(folder / "vectors.tsv", "w", encoding="utf-8") as vectors,
        open(folder / "metadata.tsv", "w", encoding="utf-8") as metadata,
    ):
        for index, token in enumerate(vocabulary):
            if index == 0:
                continue  # the padding token
            vectors.write("\\t".join(str(value) for value in weights[index]) + "\\n")
            metadata.write(token + "\\n")
""",
        """    weights = keras.ops.convert_to_numpy(embedding.embeddings)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "vectors.tsv", "w", encoding="utf-8", newline="") as vectors:
        writer = csv.writer(vectors, delimiter="\\t", lineterminator="\\n")
        for row in weights[1 : len(vocabulary)]:
            writer.writerow([str(value) for value in row])
    with open(folder / "metadata.tsv", "w", encoding="utf-8") as metadata:
        for token in vocabulary[1:]:
            metadata.write(f"{token}\\n")
""",
    ),
]
