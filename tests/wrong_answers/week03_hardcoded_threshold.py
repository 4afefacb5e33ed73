"""Wrong answer: the threshold callback compares with a fixed 0.85, not its threshold.

It is right for ``AccuracyThresholdCallback(0.85)``, the real training included, and
wrong for the thresholds the grader draws away from 0.85 (one in [0.50, 0.75], one in
[0.91, 0.98]).

week: week03_callbacks
fails: test_1_threshold_callback.py::test_stops_at_exactly_the_threshold
fails: test_1_threshold_callback.py::test_uses_the_threshold_it_was_given
"""

CHANGES = [
    (
        '        if logs["accuracy"] >= self.threshold:\n',
        '        if logs["accuracy"] >= 0.85:\n',
    ),
]
