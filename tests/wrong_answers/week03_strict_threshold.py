"""Wrong answer: the threshold callback compares with ``>`` instead of ``>=``.

An accuracy exactly equal to the threshold does not stop training; every other
decision, and the real training, are right.

week: week03_callbacks
fails: test_1_threshold_callback.py::test_stops_at_exactly_the_threshold
"""

CHANGES = [
    (
        '        if logs["accuracy"] >= self.threshold:\n',
        '        if logs["accuracy"] > self.threshold:\n',
    ),
]
