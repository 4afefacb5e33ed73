"""Right answer: a ``Sequential`` made of the backbone's own layers, ``dropwhile`` to unfreeze.

``build_augmentation`` builds its layers in a list first; ``build_transfer_model`` puts the
backbone's layers from ``conv1`` to ``features`` (the same layer objects, so the same
weights) into a new ``keras.Sequential`` after a ``keras.Input``, freezes them, and adds
the ``Dense`` head; ``fine_tune`` freezes every layer, then unfreezes those from
``first_trainable_layer`` on with ``itertools.dropwhile``, recompiled with
``Adam(learning_rate=3e-5)``; ``train_transfer_model`` trains 25 epochs on batches of 4.

week: week05_transfer
"""

CHANGES = [
    (
        "import keras\nimport numpy as np\n",
        "import itertools\n\nimport keras\nimport numpy as np\n",
    ),
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
        """    layers = [
        keras.layers.RandomFlip("horizontal"),
        keras.layers.RandomRotation(0.05),
        keras.layers.RandomZoom(0.1),
        keras.layers.RandomTranslation(0.1, 0.1),
    ]
    return keras.Sequential([keras.Input(shape=(28, 28, 1)), *layers], name="augmentation")
""",
    ),
    (
        """    backbone.trainable = False
    features = backbone.get_layer(FEATURE_LAYER).output
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="head")(features)
    model = keras.Model(backbone.input, outputs, name="transfer")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
""",
        """    kept = []
    for layer in backbone.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        layer.trainable = False
        kept.append(layer)
        if layer.name == FEATURE_LAYER:
            break
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), *kept], name="transfer")
    model.add(keras.layers.Dense(num_classes, activation="softmax", name="head"))
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
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
        """    for layer in model.layers:
        layer.trainable = False
    tail = itertools.dropwhile(lambda layer: layer.name != first_trainable_layer, model.layers)
    for layer in tail:
        layer.trainable = True
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=3e-5),
""",
    ),
    (
        "    return model.fit(x, y, epochs=30, batch_size=8, verbose=0)\n",
        "    return model.fit(x, y, epochs=25, batch_size=4, verbose=0)\n",
    ),
]
