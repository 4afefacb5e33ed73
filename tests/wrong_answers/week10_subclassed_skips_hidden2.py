"""Wrong answer: ``WideAndDeepModel.call`` never uses ``hidden2``.

``deep = self.hidden1(inputs)``: the layer is created in ``__init__`` but never called, so
it is never built and has no variables. The output still has the right shape, but the
grader, recomputing it from the model's weights, finds no ``hidden2`` kernel.

week: week10_custom_components
fails: test_7_subclassed_model.py::test_subclassed_model_output
fails: test_7_subclassed_model.py::test_subclassed_model_trainable_variables
"""

CHANGES = [
    (
        "        deep = self.hidden2(self.hidden1(inputs))\n",
        "        deep = self.hidden1(inputs)\n",
    ),
]
