"""Right answer: ``Sequential.add`` with Dropout, ``Counter.most_common``, numpy padding.

The LSTM and GRU classifiers are built with ``Sequential.add``, with ``Dropout(0.2)``
after the embedding and before the output; ``build_vocabulary`` counts with
``collections.Counter`` and numbers ``most_common()`` (a stable sort, so equally frequent
words keep their order of first appearance); ``make_ngram_sequences`` appends the prefixes
in a nested loop; ``pad_to_longest`` fills a zero ``int32`` matrix from the right;
``split_predictors_and_labels`` one-hot encodes by indexing ``np.eye``; ``generate_text``
predicts with ``model.predict(..., verbose=0)`` and takes ``np.argmax`` of the
probabilities of the vocabulary's ids.

week: week07_sequences
"""

CHANGES = [
    (
        "import re\nfrom collections.abc import Mapping, Sequence\n",
        "import re\nfrom collections import Counter\nfrom collections.abc import Mapping, Sequence\n",
    ),
    (
        """    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,)),
            keras.layers.Embedding(vocabulary_size, 16),
            keras.layers.LSTM(32),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
""",
        """    model = keras.Sequential(name="lstm_classifier")
    model.add(keras.Input(shape=(sequence_length,)))
    model.add(keras.layers.Embedding(vocabulary_size, 16))
    model.add(keras.layers.Dropout(0.2))
    model.add(keras.layers.LSTM(32))
    model.add(keras.layers.Dropout(0.2))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
""",
    ),
    (
        """    model = keras.Sequential(
        [
            keras.Input(shape=(sequence_length,)),
            keras.layers.Embedding(vocabulary_size, 16),
            keras.layers.GRU(32),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
""",
        """    model = keras.Sequential(name="gru_classifier")
    model.add(keras.Input(shape=(sequence_length,)))
    model.add(keras.layers.Embedding(vocabulary_size, 16))
    model.add(keras.layers.Dropout(0.2))
    model.add(keras.layers.GRU(32))
    model.add(keras.layers.Dropout(0.2))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
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
        """    counts = Counter(word for line in lines for word in split_words(line))
    return {word: rank for rank, (word, _) in enumerate(counts.most_common(), start=1)}
""",
    ),
    (
        """    sequences: list[list[int]] = []
    for line in lines:
        ids = [vocabulary[word] for word in split_words(line) if word in vocabulary]
        sequences.extend(ids[:end] for end in range(2, len(ids) + 1))
    return sequences
""",
        """    sequences: list[list[int]] = []
    for line in lines:
        ids = []
        for word in split_words(line):
            if word in vocabulary:
                ids.append(int(vocabulary[word]))
        for length in range(2, len(ids) + 1):
            sequences.append(ids[:length])
    return sequences
""",
    ),
    (
        """    return np.asarray(keras.utils.pad_sequences(sequences, padding="pre"), dtype="int32")
""",
        """    longest = max((len(sequence) for sequence in sequences), default=0)
    padded = np.zeros((len(sequences), longest), dtype=np.int32)
    for row, sequence in enumerate(sequences):
        if len(sequence):
            padded[row, longest - len(sequence) :] = sequence
    return padded
""",
    ),
    (
        """    return predictors, keras.utils.to_categorical(labels, num_classes=num_classes)
""",
        """    return predictors, np.eye(num_classes, dtype=np.float32)[labels]
""",
    ),
    (
        """        probabilities = np.asarray(model(window, training=False))[0]
        best = max(words, key=lambda index: (probabilities[index], -index))
""",
        """        probabilities = model.predict(window, verbose=0)[0]
        ids = np.array(sorted(words))
        best = int(ids[np.argmax(probabilities[ids])])  # the first, smallest id on ties
""",
    ),
]
