"""Wrong answer: the GRU classifier wraps its GRU in ``Bidirectional``.

``Bidirectional(GRU(32))`` instead of ``GRU(32)``: the GRU layer's output has 64 values,
not 32, and the model has 4,832 parameters more than the contract's.

week: week07_sequences
fails: test_1_classifiers.py::test_gru_classifier_layers
fails: test_1_classifiers.py::test_gru_classifier_parameter_count
"""

CHANGES = [
    (
        "            keras.layers.GRU(32),\n",
        "            keras.layers.Bidirectional(keras.layers.GRU(32)),\n",
    ),
]
