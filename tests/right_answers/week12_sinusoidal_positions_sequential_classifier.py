"""Right answer: constant sinusoidal positions, a stacked encoding, a ``Sequential`` classifier.

``positional_encoding`` computes one angle per pair of columns and interleaves sines and
cosines with ``np.stack([...], axis=-1).reshape(length, depth)``;
``TokenAndPositionEmbedding`` adds the constant ``positional_encoding(maxlen, embed_dim)``
(the docstring's other option: no trainable position weights) to the token vectors, which
are scaled by ``sqrt(embed_dim)`` as in the paper so that the word and the position are of
similar size; the classifier is a ``keras.Sequential`` filled with ``.add`` in the
docstring's order.

week: week12_transformers
"""

CHANGES = [
    (
        "    positions = np.arange(length)[:, np.newaxis]\n"
        "    pairs = np.arange(depth)[np.newaxis, :] // 2\n"
        "    angles = positions / np.power(10_000.0, 2 * pairs / depth)\n"
        "    encoding = np.zeros((length, depth))\n"
        "    encoding[:, 0::2] = np.sin(angles[:, 0::2])\n"
        "    encoding[:, 1::2] = np.cos(angles[:, 1::2])\n"
        '    return encoding.astype("float32")\n',
        "    rates = 1.0 / np.power(10_000.0, np.arange(0, depth, 2) / depth)\n"
        "    angles = np.outer(np.arange(length, dtype=np.float64), rates)\n"
        "    pairs = np.stack([np.sin(angles), np.cos(angles)], axis=-1)\n"
        "    return pairs.reshape(length, depth).astype(np.float32)\n",
    ),
    (
        "        self.token_embedding = keras.layers.Embedding(vocab_size, embed_dim)\n"
        "        self.position_embedding = keras.layers.Embedding(maxlen, embed_dim)\n",
        "        self.token_embedding = keras.layers.Embedding(vocab_size, embed_dim)\n"
        "        self.scale = float(np.sqrt(embed_dim))\n"
        "        self.positions = tf.constant(positional_encoding(maxlen, embed_dim))\n",
    ),
    (
        "        positions = tf.range(tf.shape(inputs)[-1])\n"
        "        return self.token_embedding(inputs) + self.position_embedding(positions)\n",
        "        length = tf.shape(inputs)[-1]\n"
        "        return self.token_embedding(inputs) * self.scale + self.positions[:length]\n",
    ),
    (
        "    inputs = keras.Input(shape=(maxlen,))\n"
        "    x = TokenAndPositionEmbedding(maxlen, vocab_size, 32)(inputs)\n"
        "    x = TransformerBlock(32, 2, 32)(x)\n"
        "    x = keras.layers.GlobalAveragePooling1D()(x)\n"
        "    x = keras.layers.Dropout(0.1)(x)\n"
        '    x = keras.layers.Dense(20, activation="relu")(x)\n'
        "    x = keras.layers.Dropout(0.1)(x)\n"
        '    outputs = keras.layers.Dense(1, activation="sigmoid")(x)\n'
        "    model = keras.Model(inputs, outputs)\n",
        "    model = keras.Sequential()\n"
        "    model.add(keras.Input(shape=(maxlen,)))\n"
        "    model.add(TokenAndPositionEmbedding(maxlen, vocab_size, 32))\n"
        "    model.add(TransformerBlock(32, 2, 32))\n"
        "    model.add(keras.layers.GlobalAveragePooling1D())\n"
        "    model.add(keras.layers.Dropout(0.1))\n"
        '    model.add(keras.layers.Dense(20, activation="relu"))\n'
        "    model.add(keras.layers.Dropout(0.1))\n"
        '    model.add(keras.layers.Dense(1, activation="sigmoid"))\n',
    ),
]
