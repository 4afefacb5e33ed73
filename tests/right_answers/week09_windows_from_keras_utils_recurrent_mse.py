"""Right answer: ``model_forecast`` windows with ``keras.utils``; the LSTM learns with the MSE.

``keras.utils.timeseries_dataset_from_array(series, None, sequence_length=window_size,
batch_size=batch_size, shuffle=False)`` is a ``tf.data`` pipeline of every window, in
order and already batched, which ``model.predict`` runs once; the result is flattened with
``reshape(-1)``. The recurrent forecaster is added layer by layer to a ``Sequential`` and
compiled with ``loss="mse"``, the docstring's other loss, and Adam.

week: week09_forecasting
"""

CHANGES = [
    (
        "    model = keras.Sequential(\n"
        "        [\n"
        "            keras.Input(shape=(window_size,)),\n"
        "            keras.layers.Reshape((window_size, 1)),\n"
        "            keras.layers.Rescaling(1 / 100),\n"
        "            keras.layers.LSTM(32),\n"
        "            keras.layers.Dense(1),\n"
        "            keras.layers.Rescaling(100.0),\n"
        "        ]\n"
        "    )\n"
        "    model.compile(loss=keras.losses.Huber(), optimizer=keras.optimizers.Adam(learning_rate=1e-3))\n"
        "    return model\n"
        "\n"
        "\n"
        "# %%\n"
        "def model_forecast(",
        "    model = keras.Sequential()\n"
        "    model.add(keras.Input(shape=(window_size,)))\n"
        "    model.add(keras.layers.Reshape((window_size, 1)))\n"
        "    model.add(keras.layers.Rescaling(1 / 100))\n"
        "    model.add(keras.layers.LSTM(32))\n"
        "    model.add(keras.layers.Dense(1))\n"
        "    model.add(keras.layers.Rescaling(100.0))\n"
        '    model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=1e-3))\n'
        "    return model\n"
        "\n"
        "\n"
        "# %%\n"
        "def model_forecast(",
    ),
    (
        "    dataset = tf.data.Dataset.from_tensor_slices(series)\n"
        "    dataset = dataset.window(window_size, shift=1, drop_remainder=True)\n"
        "    dataset = dataset.flat_map(lambda window: window.batch(window_size))\n"
        "    dataset = dataset.batch(batch_size).prefetch(1)\n"
        "    return model.predict(dataset, verbose=0)[:, 0]\n",
        "    windows = keras.utils.timeseries_dataset_from_array(\n"
        "        series, None, sequence_length=window_size, batch_size=batch_size, shuffle=False\n"
        "    )\n"
        "    return model.predict(windows, verbose=0).reshape(-1)\n",
    ),
]
