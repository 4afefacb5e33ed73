"""Wrong answer: the model ends in Dense(1), one output instead of one per class.

Training raises (labels 1-9 are out of range for a single class), so both training checks
end in an error that shows the student's train_model line.

week: week02_fashion_mnist
fails: test_3_model.py::test_output_shape
fails: test_3_model.py::test_softmax_outputs
fails: test_4_training.py::test_train_returns_history
fails: test_4_training.py::test_test_accuracy
"""

CHANGES = [
    (
        '            keras.layers.Dense(10, activation="softmax"),\n',
        "            keras.layers.Dense(1),\n",
    ),
]
