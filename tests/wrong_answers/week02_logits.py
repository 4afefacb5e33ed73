"""Wrong answer: the model outputs raw scores (no softmax), with a from_logits=True loss.

The loss matches the raw scores, so training works and the test accuracy is fine; only the
contract "10 softmax outputs" is broken, and only the check that names it fails.

week: week02_fashion_mnist
fails: test_3_model.py::test_softmax_outputs
"""

CHANGES = [
    (
        '            keras.layers.Dense(10, activation="softmax"),\n',
        "            keras.layers.Dense(10),\n",
    ),
    (
        '    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])\n',
        '    model.compile(\n        optimizer="adam",\n        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),\n        metrics=["accuracy"],\n    )\n',
    ),
]
