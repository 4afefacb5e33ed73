"""Right answer: BatchNormalization before the ReLU, Nadam, training fed by ``tf.data``.

``reshape_and_normalize`` reshapes a float32 copy to ``(-1, 28, 28, 1)`` before dividing;
``build_cnn`` is ``Conv2D(32, 3)`` without bias, ``BatchNormalization``,
``Activation("relu")``, ``MaxPooling2D``, ``Dropout(0.25)``, ``Flatten``, ``Dense(48)``,
``Dense(10, softmax)`` (260,538 parameters), compiled with ``"nadam"`` and the loss as a
``SparseCategoricalCrossentropy`` object; ``train_cnn`` feeds ``fit`` a shuffled, batched,
prefetched ``tf.data.Dataset`` for 2 epochs; ``build_feature_extractor`` spells every
argument out (tuple paddings and kernel sizes, ``activation=keras.activations.relu``);
``make_image_datasets`` rescales in one named function mapped over both datasets.

week: week04_cnn
"""

CHANGES = [
    (
        "    return (images.reshape((*images.shape, 1)) / 255.0).astype(np.float32)\n",
        "    return images.astype(np.float32).reshape(-1, 28, 28, 1) / 255\n",
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
        """    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(32, 3, use_bias=False),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Dropout(0.25),
            keras.layers.Flatten(),
            keras.layers.Dense(48, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="nadam",
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
""",
    ),
    (
        "    return model.fit(x_train, y_train, epochs=2, batch_size=64, verbose=2)\n",
        """    dataset = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .shuffle(buffer_size=len(x_train))
        .batch(64)
        .prefetch(tf.data.AUTOTUNE)
    )
    return model.fit(dataset, epochs=2, verbose=0)
""",
    ),
    (
        """            keras.layers.ZeroPadding2D(2),
            keras.layers.Conv2D(6, 5, padding=padding, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(16, 5, padding=padding, activation="relu"),
            keras.layers.MaxPooling2D(2),
""",
        """            keras.layers.ZeroPadding2D(padding=((2, 2), (2, 2))),
            keras.layers.Conv2D(
                filters=6,
                kernel_size=(5, 5),
                strides=(1, 1),
                padding=padding,
                activation=keras.activations.relu,
            ),
            keras.layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
            keras.layers.Conv2D(
                filters=16,
                kernel_size=(5, 5),
                strides=(1, 1),
                padding=padding,
                activation=keras.activations.relu,
            ),
            keras.layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2)),
""",
    ),
    (
        """    rescale = keras.layers.Rescaling(1 / 255)
    return (
        train.map(lambda images, labels: (rescale(images), labels)),
        validation.map(lambda images, labels: (rescale(images), labels)),
    )
""",
        """    rescale = keras.layers.Rescaling(1 / 255)

    def rescale_images(images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return rescale(images), labels

    return train.map(rescale_images), validation.map(rescale_images)
""",
    ),
]
