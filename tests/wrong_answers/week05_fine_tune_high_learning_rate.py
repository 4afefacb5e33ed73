"""Wrong answer: fine-tuning recompiles with Adam's default learning rate, 1e-3.

The layers are unfrozen correctly, but ``optimizer="adam"`` trains the pretrained layers as
fast as the new head was trained, which wrecks their features.

week: week05_transfer
fails: test_3_fine_tune.py::test_recompiles_with_a_low_learning_rate
"""

CHANGES = [
    (
        "        optimizer=keras.optimizers.Adam(learning_rate=1e-5),\n",
        '        optimizer="adam",\n',
    ),
]
