"""Wrong answer: the feature extractor's convolutions have no activation.

Every shape and the parameter count stay right, so only the check that computes the feature
maps here, with the submission's own kernels, sees the missing ReLU.

week: week04_cnn
fails: test_4_feature_maps.py::test_convolutions_apply_relu
"""

CHANGES = [
    (
        '            keras.layers.Conv2D(6, 5, padding=padding, activation="relu"),\n',
        "            keras.layers.Conv2D(6, 5, padding=padding),\n",
    ),
    (
        '            keras.layers.Conv2D(16, 5, padding=padding, activation="relu"),\n',
        "            keras.layers.Conv2D(16, 5, padding=padding),\n",
    ),
]
