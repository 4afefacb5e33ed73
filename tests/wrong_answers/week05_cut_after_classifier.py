"""Wrong answer: the new head sits on the backbone's old classifier.

The head is built on ``backbone.output``, the 5 probabilities of the clothing classes,
instead of the 288 features: the old classifier is kept (frozen) and the new classes must
be told apart from how much a sandal looks like a T-shirt or a coat.

week: week05_transfer
fails: test_2_transfer_model.py::test_cuts_at_the_feature_layer
fails: test_2_transfer_model.py::test_parameter_counts
fails: test_4_training.py::test_held_out_accuracy
fails: test_4_training.py::test_pretrained_weights_make_the_difference
"""

CHANGES = [
    (
        "    features = backbone.get_layer(FEATURE_LAYER).output\n",
        "    features = backbone.output\n",
    ),
]
