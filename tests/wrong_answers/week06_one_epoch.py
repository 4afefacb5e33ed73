"""Wrong answer: train_classifier stops after one epoch (a leftover from debugging).

Everything is built right, but one epoch leaves the model at about 0.71-0.735 on the
held-out sentences (0.735 with seed 0), below the 0.75 required.

week: week06_embeddings
fails: test_6_training.py::test_validation_accuracy
"""

CHANGES = [
    (
        "    return model.fit(dataset, epochs=4, verbose=2)\n",
        "    return model.fit(dataset, epochs=1, verbose=2)\n",
    ),
]
