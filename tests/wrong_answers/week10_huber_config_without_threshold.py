"""Wrong answer: ``HuberLoss.get_config`` leaves out the threshold.

``return super().get_config()``: ``HuberLoss.from_config(loss.get_config())`` builds a loss
with the default threshold 1.0, whatever threshold the original had, so a saved model
would come back with another loss.

week: week10_custom_components
fails: test_2_huber_class.py::test_huber_class_config_round_trip
"""

CHANGES = [
    (
        '        return {**super().get_config(), "threshold": self.threshold}\n',
        "        return super().get_config()\n",
    ),
]
