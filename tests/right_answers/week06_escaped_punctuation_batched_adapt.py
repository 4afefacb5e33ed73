"""Right answer: ``re.escape(string.punctuation)``, adapt on batches, vectors from ``tolist``.

``standardize`` builds its character class from ``string.punctuation`` with
``re.escape``; ``build_vectorizer`` names ``split="whitespace"`` and adapts on a batched
``tf.data.Dataset`` of the texts; ``make_text_dataset`` passes tensors to
``from_tensor_slices`` and maps the vectorizer without parallel calls;
``build_classifier`` adds ``Embedding``, ``GlobalAveragePooling1D``, ``Dense(8, relu)`` and
``Dense(1, sigmoid)`` with ``Sequential.add``; ``export_embeddings`` writes each file in
one ``write_text`` call, the numbers from ``row.tolist()`` (Python floats).

week: week06_embeddings
"""

CHANGES = [
    (
        "from collections.abc import Sequence\nfrom pathlib import Path\n",
        "import re\nimport string\nfrom collections.abc import Sequence\nfrom pathlib import Path\n",
    ),
    (
        """    punctuation = r"[!\\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]"
    return tf.strings.regex_replace(tf.strings.lower(texts), punctuation, "")
""",
        """    lowered = tf.strings.lower(texts)
    return tf.strings.regex_replace(lowered, f"[{re.escape(string.punctuation)}]", "")
""",
    ),
    (
        """    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=standardize,
        output_mode="int",
        output_sequence_length=sequence_length,
    )
    vectorizer.adapt(list(texts))
""",
        """    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=standardize,
        split="whitespace",
        output_mode="int",
        output_sequence_length=sequence_length,
    )
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(list(texts)).batch(256))
""",
    ),
    (
        """    dataset = tf.data.Dataset.from_tensor_slices((list(texts), labels))
    if shuffle:
        dataset = dataset.shuffle(buffer_size=len(texts))
    dataset = dataset.batch(batch_size)
    dataset = dataset.map(lambda x, y: (vectorizer(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
""",
        """    pairs = tf.data.Dataset.from_tensor_slices(
        (tf.constant(list(texts), dtype=tf.string), tf.constant(labels))
    )
    if shuffle:
        pairs = pairs.shuffle(len(texts), reshuffle_each_iteration=True)
    batches = pairs.batch(batch_size).map(lambda text, label: (vectorizer(text), label))
    return batches.prefetch(tf.data.AUTOTUNE)
""",
    ),
    (
        """    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,), dtype="int64"),
            keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
""",
        """    model = keras.Sequential()
    model.add(keras.Input(shape=(sequence_length,), dtype="int64"))
    model.add(keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True))
    model.add(keras.layers.GlobalAveragePooling1D())
    model.add(keras.layers.Dense(8, activation="relu"))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
""",
    ),
    (
        """    folder = Path(directory)
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
        """    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    tokens = list(vocabulary)[1:]  # without the padding token
    rows = ["\\t".join(str(value) for value in weights[i].tolist()) for i in range(1, len(tokens) + 1)]
    (folder / "vectors.tsv").write_text("".join(row + "\\n" for row in rows), encoding="utf-8")
    (folder / "metadata.tsv").write_text("".join(t + "\\n" for t in tokens), encoding="utf-8")
""",
    ),
]
