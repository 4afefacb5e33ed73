"""Wrong answer: the model flattens its images with a Lambda layer.

``Lambda(lambda x: keras.ops.reshape(x, (-1, 784)))`` instead of ``Flatten()``: the model
computes the same thing and trains as well, but a Lambda layer holds Python code, which the
grader does not rebuild. The checks that run the model in the grading process fail with a
message saying so, instead of taking the worker's word for its outputs; the shape, compile
and budget checks, which read the model's description, still pass.

week: week02_fashion_mnist
fails: test_3_model.py::test_softmax_outputs
fails: test_4_training.py::test_test_accuracy
"""

CHANGES = [
    (
        "            keras.layers.Flatten(),\n",
        "            keras.layers.Lambda(lambda x: keras.ops.reshape(x, (-1, 784))),\n",
    ),
]
