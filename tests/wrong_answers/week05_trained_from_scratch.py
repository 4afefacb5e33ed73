"""Wrong answer: the model is trained from scratch, not transferred.

``keras.models.clone_model(backbone)`` copies the backbone's layers with new, random weights,
and nothing is frozen: the whole network is trained on the 50 labelled images. On these five
easy classes that reaches the accuracy threshold on its own, so the accuracy check passes;
but the model gains nothing from the pretrained weights, and the structure checks see
neither the frozen layers nor the pretrained weights.

week: week05_transfer
fails: test_2_transfer_model.py::test_backbone_is_frozen
fails: test_2_transfer_model.py::test_keeps_the_pretrained_weights
fails: test_2_transfer_model.py::test_parameter_counts
fails: test_4_training.py::test_pretrained_weights_make_the_difference
"""

CHANGES = [
    (
        "    backbone.trainable = False\n    features = backbone.get_layer(FEATURE_LAYER).output\n",
        "    backbone = keras.models.clone_model(backbone)\n    features = backbone.get_layer(FEATURE_LAYER).output\n",
    ),
]
