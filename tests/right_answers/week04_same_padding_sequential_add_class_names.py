"""Right answer: a "same"-padded CNN built with ``Sequential.add``, explicit class names.

``reshape_and_normalize`` casts with ``tf.cast`` after indexing a new axis and returns the
numpy array; ``build_cnn`` adds ``Conv2D(8, 3, padding="same")``, ``MaxPooling2D``,
``BatchNormalization`` after the pooling, ``Flatten``, ``Dropout(0.2)``, ``Dense(96)``,
another ``Dropout`` and ``Dense(10, softmax)`` (151,706 parameters), compiled with
``keras.optimizers.Adam(learning_rate=2e-3)``; ``train_cnn`` trains 3 epochs on batches of
128; ``build_feature_extractor`` builds its layers in a list first;
``make_image_datasets`` names the classes (``class_names=["cats", "dogs"]``) and the
shuffle, rescales with ``Rescaling(scale=1 / 255, offset=0.0)`` and prefetches.

week: week04_cnn
"""

CHANGES = [
    (
        "    return (images.reshape((*images.shape, 1)) / 255.0).astype(np.float32)\n",
        "    return (tf.cast(images[..., np.newaxis], tf.float32) / 255.0).numpy()\n",
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
        """    model = keras.Sequential(name="small_cnn")
    model.add(keras.Input(shape=(28, 28, 1)))
    model.add(keras.layers.Conv2D(8, 3, padding="same", activation="relu"))
    model.add(keras.layers.MaxPooling2D())
    model.add(keras.layers.BatchNormalization())
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dropout(0.2))
    model.add(keras.layers.Dense(96, activation="relu"))
    model.add(keras.layers.Dropout(0.2))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=2e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
""",
    ),
    (
        "    return model.fit(x_train, y_train, epochs=2, batch_size=64, verbose=2)\n",
        "    return model.fit(x_train, y_train, batch_size=128, epochs=3, shuffle=True, verbose=0)\n",
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
        """    layers = [keras.Input(shape=(28, 28, 1)), keras.layers.ZeroPadding2D((2, 2))]
    layers += [
        keras.layers.Conv2D(6, (5, 5), padding=padding, activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(16, (5, 5), padding=padding, activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
    ]
    return keras.Sequential(layers, name=f"lenet_features_{padding}")
""",
    ),
    (
        """        labels="inferred",
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
        """        labels="inferred",
        label_mode="binary",
        class_names=["cats", "dogs"],
        color_mode="rgb",
        image_size=(32, 32),
        batch_size=batch_size,
        shuffle=True,
        validation_split=validation_split,
        subset="both",
        seed=seed,
    )
    rescale = keras.layers.Rescaling(scale=1 / 255, offset=0.0)

    def scale(images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return rescale(images), labels

    train = train.map(scale).prefetch(tf.data.AUTOTUNE)
    validation = validation.map(scale).prefetch(tf.data.AUTOTUNE)
    return train, validation
""",
    ),
]
