"""Right answer: a pre-norm encoder block with its feed-forward layers as two attributes.

``y = x + Dropout1(Attention(LN1(x), LN1(x)))`` and ``output = y +
Dropout2(FeedForward(LN2(y)))``, the pre-norm form the docstring accepts, with
``LayerNormalization``'s default epsilon; the feed-forward network is two ``Dense``
attributes, ``expand`` (ff_dim, relu) and ``project`` (embed_dim), called one after the
other instead of a nested ``Sequential``. The mask still goes to the attention unchanged.

week: week12_transformers
"""

CHANGES = [
    (
        "        self.feed_forward = keras.Sequential(\n"
        '            [keras.layers.Dense(ff_dim, activation="relu"), keras.layers.Dense(embed_dim)]\n'
        "        )\n"
        "        self.norm1 = keras.layers.LayerNormalization(epsilon=1e-6)\n"
        "        self.norm2 = keras.layers.LayerNormalization(epsilon=1e-6)\n",
        '        self.expand = keras.layers.Dense(ff_dim, activation="relu")\n'
        "        self.project = keras.layers.Dense(embed_dim)\n"
        "        self.norm1 = keras.layers.LayerNormalization()\n"
        "        self.norm2 = keras.layers.LayerNormalization()\n",
    ),
    (
        "        attended = self.attention(inputs, inputs, attention_mask=attention_mask)\n"
        "        hidden = self.norm1(inputs + self.dropout1(attended, training=training))\n"
        "        transformed = self.feed_forward(hidden)\n"
        "        return self.norm2(hidden + self.dropout2(transformed, training=training))\n",
        "        normed = self.norm1(inputs)\n"
        "        attended = self.attention(normed, normed, attention_mask=attention_mask)\n"
        "        hidden = inputs + self.dropout1(attended, training=training)\n"
        "        transformed = self.project(self.expand(self.norm2(hidden)))\n"
        "        return hidden + self.dropout2(transformed, training=training)\n",
    ),
]
