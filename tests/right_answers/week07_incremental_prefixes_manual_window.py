"""Right answer: prefixes grown one id at a time, a window padded by hand, ranks by count.

The classifiers name their units (``LSTM(units=32)``, ``GRU(units=32)``) and the
bidirectional one its ``merge_mode="concat"``; ``build_vocabulary`` walks the distinct
counts from the highest down, numbering the words of each count in order of first
appearance; ``make_ngram_sequences`` grows each prefix by one id; ``pad_to_longest``
builds the rows as lists with the zeros in front; ``split_predictors_and_labels``
one-hot encodes by comparing the labels with ``np.arange``; ``generate_text`` pads the
last ids with zeros itself, calls the model on an ``int32`` array and keeps the first
largest probability over the vocabulary's ids in increasing order.

week: week07_sequences
"""

CHANGES = [
    (
        """            keras.layers.LSTM(32),
""",
        """            keras.layers.LSTM(units=32),
""",
    ),
    (
        """            keras.layers.Bidirectional(keras.layers.LSTM(32, return_sequences=True)),
            keras.layers.Bidirectional(keras.layers.LSTM(16)),
""",
        """            keras.layers.Bidirectional(
                keras.layers.LSTM(units=32, return_sequences=True), merge_mode="concat"
            ),
            keras.layers.Bidirectional(keras.layers.LSTM(units=16), merge_mode="concat"),
""",
    ),
    (
        """            keras.layers.GRU(32),
""",
        """            keras.layers.GRU(units=32),
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
        """    counts: dict[str, int] = {}  # insertion order is the order of first appearance
    for line in lines:
        for word in split_words(line):
            counts[word] = counts.get(word, 0) + 1
    vocabulary: dict[str, int] = {}
    for count in sorted(set(counts.values()), reverse=True):
        for word, seen in counts.items():
            if seen == count:
                vocabulary[word] = len(vocabulary) + 1
    return vocabulary
""",
    ),
    (
        """        ids = [vocabulary[word] for word in split_words(line) if word in vocabulary]
        sequences.extend(ids[:end] for end in range(2, len(ids) + 1))
""",
        """        ids = [vocabulary[word] for word in split_words(line) if word in vocabulary]
        prefix = ids[:1]
        for next_id in ids[1:]:
            prefix = [*prefix, next_id]
            sequences.append(prefix)
""",
    ),
    (
        """    return np.asarray(keras.utils.pad_sequences(sequences, padding="pre"), dtype="int32")
""",
        """    longest = max((len(sequence) for sequence in sequences), default=0)
    rows = [[0] * (longest - len(sequence)) + list(sequence) for sequence in sequences]
    return np.array(rows, dtype=np.int32).reshape(len(sequences), longest)
""",
    ),
    (
        """    return predictors, keras.utils.to_categorical(labels, num_classes=num_classes)
""",
        """    one_hot = labels[:, np.newaxis] == np.arange(num_classes)[np.newaxis, :]
    return predictors, one_hot.astype(np.float64)
""",
    ),
    (
        """        window = keras.utils.pad_sequences([context], maxlen=length, padding="pre")
        probabilities = np.asarray(model(window, training=False))[0]
        best = max(words, key=lambda index: (probabilities[index], -index))
""",
        """        last = context[-length:]
        window = np.array([[0] * (length - len(last)) + last], dtype=np.int32)
        probabilities = keras.ops.convert_to_numpy(model(window, training=False))[0]
        best = -1
        for index in sorted(words):
            if best < 0 or probabilities[index] > probabilities[best]:
                best = index
""",
    ),
]
