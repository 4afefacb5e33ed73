"""Wrong answer: the CNN flattens its feature maps with a Lambda layer.

``Lambda(lambda x: keras.ops.reshape(x, (-1, 13 * 13 * 16)))`` instead of ``Flatten()``:
the same computation, but Python code the grader does not rebuild, so the checks that run
the CNN in the grading process fail with a message saying so, instead of taking the worker's
word for its outputs; the checks that read the model's description still pass.

week: week04_cnn
fails: test_2_cnn.py::test_outputs_class_probabilities
fails: test_3_training.py::test_test_accuracy
"""

CHANGES = [
    (
        "            keras.layers.Flatten(),\n            keras.layers.Dropout(0.25),\n",
        "            keras.layers.Lambda(lambda x: keras.ops.reshape(x, (-1, 13 * 13 * 16))),\n"
        "            keras.layers.Dropout(0.25),\n",
    ),
]
