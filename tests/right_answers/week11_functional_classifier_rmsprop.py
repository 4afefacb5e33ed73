"""Right answer: ``train_classifier`` builds a Functional model of two hidden layers, RMSprop.

``keras.Input(shape=(30,))``, ``Dense(32, relu)``, ``Dense(16, relu)``, ``Dense(1,
sigmoid)`` as a Functional ``keras.Model``, trained by the same custom loop with
``keras.optimizers.RMSprop(learning_rate=0.005)`` (the docstring lets the optimizer be
chosen); the history is built by a list comprehension over the epochs and the
probabilities come from ``model.predict`` as a flat ``(m,)`` array.

week: week11_training_loops
"""

CHANGES = [
    (
        "    model = keras.Sequential(\n"
        "        [\n"
        "            keras.Input(shape=(train_x.shape[1],)),\n"
        '            keras.layers.Dense(16, activation="relu"),\n'
        '            keras.layers.Dense(1, activation="sigmoid"),\n'
        "        ]\n"
        "    )\n"
        "    step = make_train_step(\n"
        "        model, keras.optimizers.Adam(learning_rate=0.01), keras.losses.BinaryCrossentropy()\n"
        "    )\n"
        "    loss_metric = keras.metrics.Mean()\n"
        '    history: dict[str, list[float]] = {"loss": []}\n'
        "    for _ in range(epochs):\n"
        '        history["loss"].append(train_one_epoch(step, dataset, loss_metric))\n'
        "    probabilities = np.asarray(model(validation_x, training=False))\n"
        "    return history, probabilities\n",
        "    inputs = keras.Input(shape=(30,))\n"
        '    hidden = keras.layers.Dense(32, activation="relu")(inputs)\n'
        '    hidden = keras.layers.Dense(16, activation="relu")(hidden)\n'
        '    outputs = keras.layers.Dense(1, activation="sigmoid")(hidden)\n'
        "    model = keras.Model(inputs, outputs)\n"
        "    optimizer = keras.optimizers.RMSprop(learning_rate=0.005)\n"
        "    step = make_train_step(model, optimizer, keras.losses.BinaryCrossentropy())\n"
        '    loss_metric = keras.metrics.Mean(name="loss")\n'
        "    losses = [train_one_epoch(step, dataset, loss_metric) for _ in range(epochs)]\n"
        "    probabilities = model.predict(validation_x, batch_size=256, verbose=0).reshape(-1)\n"
        '    return {"loss": losses}, probabilities\n',
    ),
]
