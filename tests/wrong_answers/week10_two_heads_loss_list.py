"""Wrong answer: the two-head model gets its losses as a list, in the order written.

``loss=["mse", "binary_crossentropy"]`` with the outputs given as a dict: Keras sorts a
dict's outputs by name, "is_positive" before "value", so the squared error goes to
"is_positive" and the cross-entropy to "value". The metrics, given as a dict, are right.

week: week10_custom_components
fails: test_6_two_heads.py::test_two_head_model_has_one_loss_per_output
"""

CHANGES = [
    (
        '        loss={"value": "mse", "is_positive": "binary_crossentropy"},\n',
        '        loss=["mse", "binary_crossentropy"],\n',
    ),
]
