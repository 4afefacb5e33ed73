"""Wrong answer: ``train_classifier`` predicts on the raw validation features.

The model trains on standardised features, then receives measurements hundreds of times
larger: it calls every tumour malignant (F1 0.574 on every seed, against 0.90 required).

week: week11_training_loops
fails: test_6_training.py::test_validation_f1
"""

CHANGES = [
    (
        "    probabilities = np.asarray(model(validation_x, training=False))\n",
        "    probabilities = np.asarray(model(validation_features, training=False))\n",
    ),
]
