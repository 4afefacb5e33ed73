"""Right answer: backbone layers frozen one by one, Dropout before the head, index slicing.

``build_augmentation`` passes every factor by keyword; ``build_transfer_model`` freezes
each backbone layer up to ``features`` itself (leaving the backbone's own flag alone), puts
``Dropout(0.2)`` and the ``Dense`` head on the features, and compiles with a
``SparseCategoricalCrossentropy`` object; ``fine_tune`` finds the index of
``first_trainable_layer`` and sets ``trainable = index >= start`` for every layer,
recompiled with ``Adam(learning_rate=5e-5)``; ``train_transfer_model`` trains 30 epochs on
batches of 5 (more updates, which the Dropout asks for).

week: week05_transfer
"""

CHANGES = [
    (
        """            keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomRotation(0.05),
            keras.layers.RandomZoom(0.1),
            keras.layers.RandomTranslation(0.1, 0.1),
""",
        """            keras.layers.RandomFlip(mode="horizontal"),
            keras.layers.RandomRotation(factor=0.05, fill_mode="reflect"),
            keras.layers.RandomZoom(height_factor=0.1),
            keras.layers.RandomTranslation(height_factor=0.1, width_factor=0.1),
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
        """    for layer in backbone.layers:
        layer.trainable = False
        if layer.name == FEATURE_LAYER:
            break
    features = backbone.get_layer(FEATURE_LAYER).output
    features = keras.layers.Dropout(0.2)(features)
    outputs = keras.layers.Dense(num_classes, activation="softmax")(features)
    model = keras.Model(inputs=backbone.inputs, outputs=outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.001),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
""",
    ),
    (
        """    trainable = False
    for layer in model.layers:
        trainable = trainable or layer.name == first_trainable_layer
        layer.trainable = trainable
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-5),
        loss="sparse_categorical_crossentropy",
""",
        """    names = [layer.name for layer in model.layers]
    start = names.index(first_trainable_layer)
    for index, layer in enumerate(model.layers):
        layer.trainable = index >= start
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=5e-5),
        loss=keras.losses.SparseCategoricalCrossentropy(),
""",
    ),
    (
        "    return model.fit(x, y, epochs=30, batch_size=8, verbose=0)\n",
        "    return model.fit(x, y, epochs=30, batch_size=5, verbose=0)\n",
    ),
]
