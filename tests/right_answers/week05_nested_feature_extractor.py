"""Right answer: the frozen backbone as a nested model, the way Keras's transfer guide does.

``build_augmentation`` adds its four random layers with ``Sequential.add``;
``build_transfer_model`` cuts the backbone into a feature-extractor ``keras.Model``
(``backbone.input`` to the ``features`` output), freezes it, calls it on a new
``keras.Input`` with ``training=False`` and puts the ``Dense`` head on its output, compiled
with ``optimizer="adam"`` (learning rate 1e-3); ``fine_tune`` opens the nested model and
walks its layers, unfreezing from ``first_trainable_layer`` on, recompiled with
``Adam(learning_rate=1e-4)``; ``train_transfer_model`` shuffles explicitly.

week: week05_transfer
"""

CHANGES = [
    (
        """    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomRotation(0.05),
            keras.layers.RandomZoom(0.1),
            keras.layers.RandomTranslation(0.1, 0.1),
        ],
        name="augmentation",
    )
""",
        """    augmentation = keras.Sequential(name="augmentation")
    augmentation.add(keras.Input(shape=(28, 28, 1)))
    augmentation.add(keras.layers.RandomFlip("horizontal"))
    augmentation.add(keras.layers.RandomRotation(0.05))
    augmentation.add(keras.layers.RandomZoom(0.1))
    augmentation.add(keras.layers.RandomTranslation(0.1, 0.1))
    return augmentation
""",
    ),
    (
        """    backbone.trainable = False
    features = backbone.get_layer(FEATURE_LAYER).output
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="head")(features)
    model = keras.Model(backbone.input, outputs, name="transfer")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
""",
        """    extractor = keras.Model(
        backbone.input, backbone.get_layer(FEATURE_LAYER).output, name="feature_extractor"
    )
    extractor.trainable = False
    images = keras.Input(shape=(28, 28, 1))
    features = extractor(images, training=False)
    probabilities = keras.layers.Dense(num_classes, activation="softmax")(features)
    model = keras.Model(images, probabilities)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
""",
    ),
    (
        """    trainable = False
    for layer in model.layers:
        trainable = trainable or layer.name == first_trainable_layer
        layer.trainable = trainable
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-5),
""",
        """    reached = False
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            layer.trainable = True  # then freeze its layers before the first trainable one
            for inner in layer.layers:
                reached = reached or inner.name == first_trainable_layer
                inner.trainable = reached
        else:
            reached = reached or layer.name == first_trainable_layer
            layer.trainable = reached
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-4),
""",
    ),
    (
        "    return model.fit(x, y, epochs=30, batch_size=8, verbose=0)\n",
        "    return model.fit(x, y, batch_size=8, epochs=30, shuffle=True, verbose=0)\n",
    ),
]
