"""Right answer: a functional CNN with 5x5 filters, folders read in two calls.

``reshape_and_normalize`` adds the channel with ``np.expand_dims`` and divides a float32
copy; ``build_cnn`` is a functional ``keras.Model``: ``Conv2D(24, 5)``,
``BatchNormalization``, ``MaxPooling2D``, ``Flatten``, ``Dropout(0.3)``, ``Dense(100)``,
``Dense(10, softmax)`` (347,430 parameters); ``train_cnn`` passes its arguments by keyword
without printing; ``build_feature_extractor`` adds its layers one by one with
``Sequential.add`` in a loop over the two convolutions' filters; ``make_image_datasets`` calls
``image_dataset_from_directory`` twice, ``subset="training"`` and ``subset="validation"``
with the same seed, and maps the rescaling with ``num_parallel_calls``.

week: week04_cnn
"""

CHANGES = [
    (
        "    return (images.reshape((*images.shape, 1)) / 255.0).astype(np.float32)\n",
        "    return np.expand_dims(images, axis=-1).astype(np.float32) / np.float32(255.0)\n",
    ),
    (
        """    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.25),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
""",
        """    images = keras.Input(shape=(28, 28, 1))
    x = keras.layers.Conv2D(24, (5, 5), activation="relu")(images)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.3)(x)
    x = keras.layers.Dense(100, activation="relu")(x)
    probabilities = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(images, probabilities)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
""",
    ),
    (
        """    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.ZeroPadding2D(2),
            keras.layers.Conv2D(6, 5, padding=padding, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(16, 5, padding=padding, activation="relu"),
            keras.layers.MaxPooling2D(2),
        ]
    )
""",
        """    model = keras.Sequential()
    model.add(keras.Input(shape=(28, 28, 1)))
    model.add(keras.layers.ZeroPadding2D(padding=2))
    for filters in (6, 16):
        model.add(keras.layers.Conv2D(filters, 5, padding=padding, activation="relu"))
        model.add(keras.layers.MaxPooling2D(pool_size=2))
    return model
""",
    ),
    (
        """    train, validation = keras.utils.image_dataset_from_directory(
        directory,
        labels="inferred",
        label_mode="binary",
        image_size=(32, 32),
        batch_size=batch_size,
        validation_split=validation_split,
        subset="both",
        seed=seed,
    )
    rescale = keras.layers.Rescaling(1 / 255)
    return (
        train.map(lambda images, labels: (rescale(images), labels)),
        validation.map(lambda images, labels: (rescale(images), labels)),
    )
""",
        """    def read(subset: str) -> tf.data.Dataset:
        return keras.utils.image_dataset_from_directory(
            directory,
            label_mode="binary",
            image_size=(32, 32),
            batch_size=batch_size,
            validation_split=validation_split,
            subset=subset,
            seed=seed,
        )

    rescale = keras.layers.Rescaling(1.0 / 255)

    def scaled(dataset: tf.data.Dataset) -> tf.data.Dataset:
        return dataset.map(
            lambda images, labels: (rescale(images), labels),
            num_parallel_calls=tf.data.AUTOTUNE,
        )

    return scaled(read("training")), scaled(read("validation"))
""",
    ),
    (
        "    return model.fit(x_train, y_train, epochs=2, batch_size=64, verbose=2)\n",
        "    return model.fit(x=x_train, y=y_train, batch_size=64, epochs=2, verbose=0)\n",
    ),
]
