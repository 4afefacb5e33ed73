"""Wrong answer: fine-tuning unfreezes the whole model, not only its top.

Every layer is set trainable, including the backbone layers before
``first_trainable_layer``, whose general features fine-tuning should leave alone.

week: week05_transfer
fails: test_3_fine_tune.py::test_unfreezes_from_the_given_layer
"""

CHANGES = [
    (
        "    trainable = False\n",
        "",
    ),
    (
        "        trainable = trainable or layer.name == first_trainable_layer\n        layer.trainable = trainable\n",
        "        layer.trainable = True\n",
    ),
]
