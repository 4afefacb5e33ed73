"""Right answer: ``Sequential.add``, a Reshape to 784, two hidden layers, Nadam, 4 epochs.

``normalize_images`` divides with ``np.true_divide(..., dtype=np.float32)``;
``make_dataset`` builds the dataset from the pair and shuffles it with the dataset's own
cardinality as the buffer; ``build_model`` adds ``Reshape((784,))``, ``Dense(128, relu)``,
``Dense(64, relu)`` and ``Dense(10, softmax)`` one by one (109,386 parameters) and compiles
with ``"nadam"``; ``train_model`` trains 4 epochs on batches of 32.

week: week02_fashion_mnist
"""

CHANGES = [
    (
        "    return (images / 255.0).astype(np.float32)\n",
        "    return np.true_divide(images, 255, dtype=np.float32)\n",
    ),
    (
        """    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        dataset = dataset.shuffle(buffer_size=len(x))
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
""",
        """    examples = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        examples = examples.shuffle(buffer_size=int(examples.cardinality()))
    batches = examples.batch(batch_size, drop_remainder=False)
    return batches.prefetch(buffer_size=tf.data.AUTOTUNE)
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
        """    model = keras.Sequential(name="dense_classifier")
    model.add(keras.Input(shape=(28, 28)))
    model.add(keras.layers.Reshape((28 * 28,)))
    model.add(keras.layers.Dense(128, activation="relu"))
    model.add(keras.layers.Dense(64, activation="relu"))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(optimizer="nadam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
""",
    ),
    (
        """    dataset = make_dataset(x_train, y_train, batch_size=64)
    return model.fit(dataset, epochs=5, verbose=2)
""",
        """    dataset = make_dataset(x_train, y_train)
    return model.fit(dataset, epochs=4, verbose=0)
""",
    ),
]
