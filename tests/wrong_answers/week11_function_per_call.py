"""Wrong answer: ``make_train_step`` creates a new ``tf.function`` on every call of the step.

Each call traces the step again (six traces for six batches), so the graph is never reused;
the weights still move exactly as they should.

week: week11_training_loops
fails: test_4_compiled_step.py::test_compiled_step_traced_once_for_same_shapes
"""

CHANGES = [
    (
        "    @tf.function\n"
        "    def step(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:\n"
        "        return train_step(model, optimizer, loss_fn, x, y)\n",
        "    def step(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:\n"
        "        return tf.function(train_step)(model, optimizer, loss_fn, x, y)\n",
    ),
]
