"""Wrong answer: the backbone is copied with ``keras.models.clone_model``.

``clone_model`` copies the architecture (and the frozen flags) but initialises new, random
weights: the model is cut and frozen correctly, but its features are random.

week: week05_transfer
fails: test_2_transfer_model.py::test_keeps_the_pretrained_weights
fails: test_4_training.py::test_held_out_accuracy
fails: test_4_training.py::test_pretrained_weights_make_the_difference
"""

CHANGES = [
    (
        "    backbone.trainable = False\n    features = backbone.get_layer(FEATURE_LAYER).output\n",
        "    backbone.trainable = False\n    backbone = keras.models.clone_model(backbone)\n    features = backbone.get_layer(FEATURE_LAYER).output\n",
    ),
]
