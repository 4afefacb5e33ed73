"""Wrong answer: build_feature_extractor ignores its padding argument.

Both Conv2D layers keep Keras's default, padding="valid", so the "valid" extractor is right
and the "same" one shrinks its feature maps like the "valid" one.

week: week04_cnn
fails: test_4_feature_maps.py::test_same_padding_feature_maps
"""

CHANGES = [
    (
        '            keras.layers.Conv2D(6, 5, padding=padding, activation="relu"),\n',
        '            keras.layers.Conv2D(6, 5, activation="relu"),\n',
    ),
    (
        '            keras.layers.Conv2D(16, 5, padding=padding, activation="relu"),\n',
        '            keras.layers.Conv2D(16, 5, activation="relu"),\n',
    ),
]
