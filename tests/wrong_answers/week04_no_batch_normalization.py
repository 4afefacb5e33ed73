"""Wrong answer: the CNN has Dropout but no BatchNormalization layer.

It still passes the accuracy check (0.8796 on the test images with seed 0, against 0.845; the
reference solution reaches 0.8902), so only the check that asks for both regularising layers
fails.

week: week04_cnn
fails: test_2_cnn.py::test_batch_normalization_and_dropout
"""

CHANGES = [
    (
        "            keras.layers.BatchNormalization(),\n",
        "",
    ),
]
