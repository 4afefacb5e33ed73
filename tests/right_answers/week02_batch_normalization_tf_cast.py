"""Right answer: normalise with ``tf.cast``, BatchNormalization before the ReLU, RMSprop.

``normalize_images`` divides a ``tf.float32`` tensor and returns its numpy array;
``make_dataset`` picks the shuffled or unshuffled examples in one conditional expression
and batches and prefetches them in one chain; ``build_model`` puts ``BatchNormalization``
between a bias-free ``Dense(100)`` and its ReLU (``Activation("relu")``), compiled with
``keras.optimizers.RMSprop(learning_rate=1e-3)``; ``train_model`` trains 5 epochs on
batches of 128. (On batches of 256, 5 epochs left the test accuracy at 0.8401 at seed 0,
below the 0.85 the exercise asks: a recipe that meets the requirement only on some seeds is
not a right answer.)

week: week02_fashion_mnist
"""

CHANGES = [
    (
        "    return (images / 255.0).astype(np.float32)\n",
        "    return (tf.cast(images, tf.float32) / 255.0).numpy()\n",
    ),
    (
        """    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        dataset = dataset.shuffle(buffer_size=len(x))
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
""",
        """    examples = tf.data.Dataset.from_tensor_slices((x, y))
    examples = examples.shuffle(len(x)) if shuffle else examples
    return examples.batch(batch_size).prefetch(tf.data.AUTOTUNE)
""",
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
        """    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(100, use_bias=False),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
""",
    ),
    (
        "    dataset = make_dataset(x_train, y_train, batch_size=64)\n",
        "    dataset = make_dataset(x_train, y_train, batch_size=128)\n",
    ),
]
