"""Wrong answer: the classifier ends with a ReLU unit instead of a sigmoid one.

Untrained, its outputs for the grader's rows can all lie in [0, 1], so only the last
layer's activation shows the mistake (binary cross-entropy then clips what it is given).

week: week06_embeddings
fails: test_5_classifier.py::test_classifier_outputs_probabilities
"""

CHANGES = [
    (
        '            keras.layers.Dense(1, activation="sigmoid"),\n        ]\n    )\n'
        '    model.compile(optimizer="adam", loss="binary_crossentropy"',
        '            keras.layers.Dense(1, activation="relu"),\n        ]\n    )\n'
        '    model.compile(optimizer="adam", loss="binary_crossentropy"',
    ),
]
