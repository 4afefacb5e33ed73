"""Right answer: a functional next-word model, a vocabulary sorted on (count, first place).

The Conv1D classifier spells its arguments out and adds ``Dropout(0.3)`` before the
pooling, the bidirectional one ``Dropout(0.25)`` between the two recurrent layers;
``build_vocabulary`` remembers where each word first appears and sorts on ``(-count,
first place)``; ``make_ngram_sequences`` is one list comprehension; ``pad_to_longest``
gives ``pad_sequences`` the longest length, the padding value and the dtype;
``split_predictors_and_labels`` cuts the last column off with ``np.split`` and one-hot
encodes with ``to_categorical`` cast to float32; ``build_next_word_model`` is a
functional ``keras.Model`` compiled with ``Adam(learning_rate=0.01)`` and a loss object.

week: week07_sequences
"""

CHANGES = [
    (
        """            keras.layers.Bidirectional(keras.layers.LSTM(32, return_sequences=True)),
            keras.layers.Bidirectional(keras.layers.LSTM(16)),
""",
        """            keras.layers.Bidirectional(keras.layers.LSTM(32, return_sequences=True)),
            keras.layers.Dropout(0.25),
            keras.layers.Bidirectional(keras.layers.LSTM(16)),
""",
    ),
    (
        """            keras.layers.Conv1D(64, 5, activation="relu"),
            keras.layers.GlobalMaxPooling1D(),
""",
        """            keras.layers.Conv1D(filters=64, kernel_size=5, padding="valid", activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.GlobalMaxPooling1D(),
""",
    ),
    (
        """    counts: dict[str, int] = {}
    for line in lines:
        for word in split_words(line):
            counts[word] = counts.get(word, 0) + 1
    by_frequency = sorted(counts, key=lambda word: -counts[word])  # stable: ties keep order
    return {word: index for index, word in enumerate(by_frequency, start=1)}
""",
        """    words = [word for line in lines for word in split_words(line)]
    first_place: dict[str, int] = {}
    counts: dict[str, int] = {}
    for place, word in enumerate(words):
        first_place.setdefault(word, place)
        counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda word: (-counts[word], first_place[word]))
    return {word: rank for rank, word in enumerate(ranked, start=1)}
""",
    ),
    (
        """    sequences: list[list[int]] = []
    for line in lines:
        ids = [vocabulary[word] for word in split_words(line) if word in vocabulary]
        sequences.extend(ids[:end] for end in range(2, len(ids) + 1))
    return sequences
""",
        """    known = [[vocabulary[w] for w in split_words(line) if w in vocabulary] for line in lines]
    return [ids[:end] for ids in known for end in range(2, len(ids) + 1)]
""",
    ),
    (
        """    return np.asarray(keras.utils.pad_sequences(sequences, padding="pre"), dtype="int32")
""",
        """    longest = max((len(sequence) for sequence in sequences), default=0)
    return keras.utils.pad_sequences(
        sequences, maxlen=longest, dtype="int32", padding="pre", truncating="pre", value=0
    )
""",
    ),
    (
        """    predictors, labels = padded[:, :-1], padded[:, -1]
    if num_classes is None:
        return predictors, labels
    return predictors, keras.utils.to_categorical(labels, num_classes=num_classes)
""",
        """    predictors, last_column = np.split(padded, [padded.shape[1] - 1], axis=1)
    labels = last_column.reshape(-1)
    if num_classes is not None:
        labels = keras.utils.to_categorical(labels, num_classes=num_classes).astype("float32")
    return predictors, labels
""",
    ),
    (
        """    model = keras.Sequential(
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
""",
        """    previous_words = keras.Input(shape=(sequence_length,), name="previous_words")
    vectors = keras.layers.Embedding(vocabulary_size, 64)(previous_words)
    context = keras.layers.Bidirectional(keras.layers.LSTM(64))(vectors)
    next_word = keras.layers.Dense(vocabulary_size, activation="softmax")(context)
    model = keras.Model(previous_words, next_word, name="next_word")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
""",
    ),
]
