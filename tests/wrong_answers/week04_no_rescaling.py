"""Wrong answer: make_image_datasets returns the photos with pixels 0-255.

Everything else is right (float32 batches of 32x32x3, the split, the labels): only the
Rescaling(1 / 255) step is missing.

week: week04_cnn
fails: test_5_image_folders.py::test_pixels_scaled_to_unit_range
"""

CHANGES = [
    (
        "    rescale = keras.layers.Rescaling(1 / 255)\n    return (\n        train.map(lambda images, labels: (rescale(images), labels)),\n        validation.map(lambda images, labels: (rescale(images), labels)),\n    )\n",
        "    return train, validation\n",
    ),
]
