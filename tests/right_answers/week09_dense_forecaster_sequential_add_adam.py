"""Right answer: the dense forecaster built with ``Sequential.add`` and trained with Adam.

The same three Dense layers, added one by one to an empty ``keras.Sequential``, compiled
with ``loss="mse"`` and ``keras.optimizers.Adam(learning_rate=1e-3)`` instead of SGD with
momentum (the module docstring leaves the optimizer to the student): Adam's steps do not
grow with the size of the gradients, so the large raw values need no tiny learning rate.

week: week09_forecasting
"""

CHANGES = [
    (
        "    model = keras.Sequential(\n"
        "        [\n"
        "            keras.Input(shape=(window_size,)),\n"
        '            keras.layers.Dense(10, activation="relu"),\n'
        '            keras.layers.Dense(10, activation="relu"),\n'
        "            keras.layers.Dense(1),\n"
        "        ]\n"
        "    )\n"
        '    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=1e-6, momentum=0.9))\n',
        "    model = keras.Sequential()\n"
        "    model.add(keras.Input(shape=(window_size,)))\n"
        "    for _ in range(2):\n"
        '        model.add(keras.layers.Dense(10, activation="relu"))\n'
        "    model.add(keras.layers.Dense(1))\n"
        '    model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=1e-3))\n',
    ),
]
