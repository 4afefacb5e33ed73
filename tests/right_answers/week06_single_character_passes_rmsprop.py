"""Right answer: one literal deletion per punctuation character, RMSprop, Dropout, 6 epochs.

``standardize`` lower-cases, then deletes the 32 characters of ``string.punctuation`` one
``regex_replace`` at a time (each escaped with ``re.escape``); ``build_vectorizer``
adapts on a numpy array of the texts; ``encode_labels`` looks each label up with
``dict.get`` and raises on ``None``; ``make_text_dataset`` names every argument
(``drop_remainder=False``, ``buffer_size=tf.data.AUTOTUNE``); ``build_classifier`` has a
wider hidden layer, ``Dense(32, relu)``, then ``Dropout(0.3)`` (577 parameters besides the
embedding), compiled with ``keras.optimizers.RMSprop(learning_rate=0.002)``;
``train_classifier`` trains 6 epochs.

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
        """    cleaned = tf.strings.lower(texts)
    for character in string.punctuation:
        cleaned = tf.strings.regex_replace(cleaned, re.escape(character), "")
    return cleaned
""",
    ),
    (
        "    vectorizer.adapt(list(texts))\n",
        "    vectorizer.adapt(np.array(list(texts), dtype=object))\n",
    ),
    (
        """    codes = {"negative": 0, "positive": 1}
    unknown = [label for label in labels if label not in codes]
    if unknown:
        raise ValueError(f"unknown label {unknown[0]!r}: expected 'negative' or 'positive'")
    return np.array([codes[label] for label in labels], dtype=np.int32)
""",
        """    codes = {"negative": 0, "positive": 1}
    encoded = np.empty(len(labels), dtype=np.int32)
    for position, label in enumerate(labels):
        code = codes.get(label)
        if code is None:
            raise ValueError(f"label {position} is {label!r}: use 'negative' or 'positive'")
        encoded[position] = code
    return encoded
""",
    ),
    (
        """    dataset = dataset.batch(batch_size)
    dataset = dataset.map(lambda x, y: (vectorizer(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
""",
        """    dataset = dataset.batch(batch_size=batch_size, drop_remainder=False)
    dataset = dataset.map(lambda x, y: (vectorizer(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(buffer_size=tf.data.AUTOTUNE)
""",
    ),
    (
        """            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
""",
        """            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.002),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
""",
    ),
    (
        "    return model.fit(dataset, epochs=4, verbose=2)\n",
        "    return model.fit(dataset, epochs=6, verbose=0)\n",
    ),
]
