"""Wrong answer: the backbone is not frozen.

``backbone.trainable = False`` is missing, so training updates all 14,048 pretrained
parameters of the kept layers along with the new head.

week: week05_transfer
fails: test_2_transfer_model.py::test_backbone_is_frozen
fails: test_2_transfer_model.py::test_parameter_counts
"""

CHANGES = [
    (
        "    backbone.trainable = False\n",
        "",
    ),
]
