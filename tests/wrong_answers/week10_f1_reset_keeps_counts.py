"""Wrong answer: ``BinaryF1Score.reset_state`` resets only the true positives.

The false positives and false negatives of the earlier batches stay, so the result is 0
right after the reset (no true positive) but wrong after the next batch, and wrong in every
epoch after the first when Keras resets the metric.

week: week10_custom_components
fails: test_4_f1_metric.py::test_f1_reset_state
"""

CHANGES = [
    (
        "        for count in (self.true_positives, self.false_positives, self.false_negatives):\n",
        "        for count in (self.true_positives,):\n",
    ),
]
