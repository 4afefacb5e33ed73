"""Wrong answer: the head is put on the input images, not on the backbone's features.

The backbone is frozen but not used: the model flattens the 784 pixels into one Dense layer
(a linear classifier of raw pixels), so nothing learned on the clothing classes helps. With
no ``conv3`` in the model, ``fine_tune`` finds nothing to unfreeze and leaves even the head
frozen.

week: week05_transfer
fails: test_2_transfer_model.py::test_cuts_at_the_feature_layer
fails: test_2_transfer_model.py::test_backbone_is_frozen
fails: test_2_transfer_model.py::test_keeps_the_pretrained_weights
fails: test_2_transfer_model.py::test_parameter_counts
fails: test_3_fine_tune.py::test_unfreezes_from_the_given_layer
fails: test_4_training.py::test_held_out_accuracy
fails: test_4_training.py::test_pretrained_weights_make_the_difference
"""

CHANGES = [
    (
        "    features = backbone.get_layer(FEATURE_LAYER).output\n",
        "    features = keras.layers.Flatten()(backbone.input)\n",
    ),
]
