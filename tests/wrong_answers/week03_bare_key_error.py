"""Wrong answer: without an "accuracy" key the callback fails with a bare KeyError.

``logs["accuracy"]`` raises ``KeyError('accuracy')``: it names the key but does not
say to compile with ``metrics=["accuracy"]``.

week: week03_callbacks
fails: test_1_threshold_callback.py::test_missing_accuracy_key_is_explained
"""

CHANGES = [
    (
        '        if "accuracy" not in logs:\n            raise ValueError(\n                \'the logs have no "accuracy" key: compile the model with metrics=["accuracy"]\'\n            )\n',
        "",
    ),
]
