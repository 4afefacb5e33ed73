"""Right answer: the sunspot forecaster's causal convolution written as explicit left padding.

``ZeroPadding1D((kernel_size - 1, 0))`` then ``Conv1D(32, 5, padding="valid")`` is what
``padding="causal"`` does: four zeros before the first month, none after the last, so each
output step sees only its own month and the four before it, and the sequence keeps its
length. The layers are added one by one to a ``Sequential``; the compile settings are the
exercise's (Huber, Adam at 1e-3).

week: week09_forecasting
"""

CHANGES = [
    (
        "    model = keras.Sequential(\n"
        "        [\n"
        "            keras.Input(shape=(window_size,)),\n"
        "            keras.layers.Reshape((window_size, 1)),\n"
        "            keras.layers.Rescaling(1 / 100),\n"
        '            keras.layers.Conv1D(32, 5, padding="causal", activation="relu"),\n'
        "            keras.layers.LSTM(32),\n"
        '            keras.layers.Dense(16, activation="relu"),\n'
        "            keras.layers.Dense(1),\n"
        "            keras.layers.Rescaling(100.0),\n"
        "        ]\n"
        "    )\n",
        "    kernel_size = 5\n"
        "    model = keras.Sequential()\n"
        "    model.add(keras.Input(shape=(window_size,)))\n"
        "    model.add(keras.layers.Reshape((window_size, 1)))\n"
        "    model.add(keras.layers.Rescaling(1 / 100))\n"
        "    # Causal by hand: kernel_size - 1 zeros before the series, none after it.\n"
        "    model.add(keras.layers.ZeroPadding1D(padding=(kernel_size - 1, 0)))\n"
        '    model.add(keras.layers.Conv1D(32, kernel_size, padding="valid", activation="relu"))\n'
        "    model.add(keras.layers.LSTM(32))\n"
        '    model.add(keras.layers.Dense(16, activation="relu"))\n'
        "    model.add(keras.layers.Dense(1))\n"
        "    model.add(keras.layers.Rescaling(100.0))\n",
    ),
]
