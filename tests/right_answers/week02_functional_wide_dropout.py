"""Right answer: a functional model, one wider hidden layer with Dropout, an Adam object.

``normalize_images`` casts to float32 before dividing by a float32 255;
``build_model`` is a functional ``keras.Model``: ``Flatten``, ``Dense(256, relu)``,
``Dropout(0.2)``, ``Dense(10, softmax)`` (203,530 parameters, under the 250,000 budget),
compiled with ``keras.optimizers.Adam(learning_rate=1e-3)`` and the loss and metric as
objects (``SparseCategoricalCrossentropy()``, ``SparseCategoricalAccuracy`` named
``"accuracy"``); ``make_dataset`` names ``reshuffle_each_iteration``; ``train_model`` uses
batches of 128 for 5 epochs.

week: week02_fashion_mnist
"""

CHANGES = [
    (
        "    return (images / 255.0).astype(np.float32)\n",
        "    return images.astype(np.float32) / np.float32(255)\n",
    ),
    (
        "        dataset = dataset.shuffle(buffer_size=len(x))\n",
        "        dataset = dataset.shuffle(len(x), reshuffle_each_iteration=True)\n",
    ),
    (
        """    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
""",
        """    images = keras.Input(shape=(28, 28), name="image")
    features = keras.layers.Flatten()(images)
    features = keras.layers.Dense(256, activation="relu")(features)
    features = keras.layers.Dropout(0.2)(features)
    probabilities = keras.layers.Dense(10, activation="softmax")(features)
    model = keras.Model(images, probabilities, name="fashion_classifier")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
""",
    ),
    (
        """    dataset = make_dataset(x_train, y_train, batch_size=64)
    return model.fit(dataset, epochs=5, verbose=2)
""",
        """    history = model.fit(make_dataset(x_train, y_train, batch_size=128), epochs=5, verbose=0)
    return history
""",
    ),
]
