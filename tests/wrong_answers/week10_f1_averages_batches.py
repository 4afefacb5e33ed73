"""Wrong answer: ``BinaryF1Score`` averages the F1 scores of the batches.

Each ``update_state`` computes the F1 score of its own batch and adds it to a sum, and
``result`` divides that sum by the number of batches. A batch with no positive prediction
counts as an F1 of 0, and small batches weigh as much as large ones: the mean of per-batch
scores is not the score of all the samples. ``reset_state`` resets the sum and the count.

week: week10_custom_components
fails: test_4_f1_metric.py::test_f1_accumulates_over_batches
"""

CHANGES = [
    (
        "        self.true_positives.assign_add(keras.ops.sum(actual * predicted))\n"
        "        self.false_positives.assign_add(keras.ops.sum((1.0 - actual) * predicted))\n"
        "        self.false_negatives.assign_add(keras.ops.sum(actual * (1.0 - predicted)))\n",
        "        true_positives = keras.ops.sum(actual * predicted)\n"
        "        wrong = keras.ops.sum(keras.ops.abs(actual - predicted))\n"
        "        score = keras.ops.divide_no_nan(2.0 * true_positives, 2.0 * true_positives + wrong)\n"
        "        self.true_positives.assign_add(score)\n"
        "        self.false_positives.assign_add(1.0)\n",
    ),
    (
        "        twice = 2.0 * self.true_positives\n"
        "        return keras.ops.divide_no_nan(twice, twice + self.false_positives + self.false_negatives)\n",
        "        return keras.ops.divide_no_nan(self.true_positives, self.false_positives)\n",
    ),
]
