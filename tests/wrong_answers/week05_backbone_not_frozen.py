"""Wrong answer: the backbone is not frozen.

``backbone.trainable = False`` is missing, so training updates all 14,048 pretrained
parameters of the kept layers along with the new head. Trained on 50 images, they
forget what made them worth keeping: the model learns as well from untrained layers.

week: week05_transfer
fails: test_2_transfer_model.py::test_backbone_is_frozen
fails: test_2_transfer_model.py::test_parameter_counts
fails: test_4_training.py::test_pretrained_weights_make_the_difference
"""

CHANGES = [
    (
        "    backbone.trainable = False\n",
        "",
    ),
]
